"""Two-factor sign-in (django-otp): an authenticator app's six-digit code (TOTP) after the password, with ten one-time
recovery codes for a lost phone. Required for the roles in TWO_FACTOR_ROLES (CTE coordinators and superusers by
default; "all" for everyone): until such a person has verified a code in this session, every page sends them to
enrol (no device yet) or to enter a code. Nothing else is reachable before that, so no other way in (a password
reset included) passes around it."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.roles import user_role

RECOVERY_CODES = 10
_OPEN_PATHS = ("/login/", "/logout/", "/account/two-factor/", "/healthz", "/static/")


def two_factor_required(user) -> bool:
    """Whether `user` must verify a code after the password (TWO_FACTOR_ROLES)."""
    if not user.is_authenticated:
        return False
    wanted = settings.TWO_FACTOR_ROLES
    if "all" in wanted:
        return True
    if user.is_superuser and "superuser" in wanted:
        return True
    return user_role(user) == Role.COORDINATOR and "coordinator" in wanted


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: a person who must use two factors and has not verified a code in this
    session is sent to enter one (or to enrol); the JSON API answers 403 with the same words."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if two_factor_required(user) and not user.is_verified() and not request.path.startswith(_OPEN_PATHS):
            enrolled = user_has_device(user)
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {"error": "Enter your two-factor code first (log in again in the browser)."}, status=403
                )
            target = reverse("two_factor_verify" if enrolled else "two_factor_setup")
            return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("home")


def _code(request: HttpRequest) -> str:
    return "".join(request.POST.get("code", "").split())


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, or one of the recovery codes (used up)."""
    if request.user.is_verified():
        return redirect(_next(request))
    error = None
    if request.method == "POST":
        device = match_token(request.user, _code(request))  # throttled by the device after wrong codes
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(request, f"You used a recovery code; {left} are left. Set up new ones if few remain.")
            return redirect(_next(request))
        error = "That code is not right (or has been used, or too many tries were made: wait a moment)."
    return render(request, "registration/two_factor_verify.html", {"error": error, "next": _next(request)}, status=200)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the key into an authenticator app, enter the code it shows; ten recovery codes are shown
    once. Someone already verified in this session may enrol a new phone (the old one stops working)."""
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    error = None
    if request.method == "POST":
        if device.verify_token(_code(request)):
            codes = _confirm(request, device)
            otp_login(request, device)
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        error = "That code is not right: enter the six digits the app shows now."
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, title="Two-factor key as a QR code"),
        "error": error,
        "next": _next(request),
    }
    return render(request, "registration/two_factor_setup.html", context)


@transaction.atomic
def _confirm(request: HttpRequest, device: TOTPDevice) -> list[str]:
    """The new phone replaces any other; new recovery codes replace the old ones. Returns the codes."""
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=request.user).delete()
    static = StaticDevice.objects.create(user=request.user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes
