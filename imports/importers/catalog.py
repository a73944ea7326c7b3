"""The credential catalog: one row per credential, with its issuer, kind, cluster and aliases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from credentials.models import Credential, CredentialAlias
from imports.columns import ChoiceColumn, Column, LookupColumn, Row, TextColumn, YesNoColumn
from imports.importers.base import Counts, Importer, Plan, code_or_name_lookup
from imports.models import ImportBatch
from pathways.models import CareerCluster


class AliasesColumn(Column):
    """Other names of the credential, separated by ";". An alias repeated in the row (in any case), or the
    same as the row's own code or name, adds nothing."""

    def clean(self, text: str, row: Row) -> list[str]:
        aliases = []
        said = {value.casefold() for value in (row.values["code"], row.values["name"]) if value}
        for alias in text.split(";"):
            alias = alias.strip()
            if alias and alias.casefold() not in said:
                said.add(alias.casefold())
                aliases.append(alias)
        return aliases


@dataclass(slots=True)
class CatalogRow:
    row: int
    code: str
    fields: dict[str, Any]  # the credential's fields the file gives (a column it lacks is left alone)
    aliases: list[str]


@dataclass
class CatalogPlan(Plan):
    changed: list[Credential] = field(default_factory=list)  # existing credentials, their new values set
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (lower-cased code, new alias)
    fields: list[str] = field(default_factory=list)  # the fields a changed credential may have new values in


class CatalogImporter(Importer):
    kind = ImportBatch.Kind.CATALOG
    plan: CatalogPlan
    plan_type = CatalogPlan
    columns = (
        TextColumn("code", "Code", "Credential Code", required=True, blank="this is blank", model=Credential),
        TextColumn(
            "name", "Name", "Credential Name", "Credential", required=True, blank="this is blank", model=Credential
        ),
        TextColumn("issuer", "Issuer", "Issuing Organization", "Organization", required=True, model=Credential),
        ChoiceColumn("kind", "Kind", "Type", unknown="'{text}' is not a kind of credential", model=Credential),
        LookupColumn(
            "cluster",
            "Career cluster",
            "Career Cluster",
            lookup="clusters",
            unknown="'{text}' is not a career cluster",
            model=Credential,
        ),
        YesNoColumn("state_recognized", "State recognized", "State Recognised"),
        AliasesColumn("aliases", "Aliases", "Also known as"),
    )

    def check_rows(self) -> None:
        self.lookups["clusters"] = code_or_name_lookup(CareerCluster.objects.all())
        self.existing = {c.code.casefold(): c for c in Credential.objects.all()}
        self.code_of = {c.pk: c.code for c in self.existing.values()}
        self.taken = {
            a.casefold(): (cid, a) for cid, a in CredentialAlias.objects.values_list("credential_id", "alias")
        }
        self.codes_seen: dict[str, int] = {}
        self.aliases_seen: dict[str, tuple[str, int]] = {}
        kept: dict[str, tuple[dict, set[str]]] = {}  # what the valid row of each code read
        records: list[CatalogRow] = []
        for number, texts in self.rows():
            v = self.clean(number, texts)
            code, aliases = v["code"], v["aliases"]
            # Only what the file gives is written: a kind left blank, or a column it lacks, keeps the record's.
            data: dict[str, Any] = {"name": v["name"], "issuer": v["issuer"] or ""}
            if texts.get("kind"):
                data["kind"] = v["kind"]
            if "cluster" in self.found:
                data["cluster_id"] = v["cluster"]
            if "state_recognized" in self.found and v["state_recognized"] is not None:
                data["state_recognized"] = v["state_recognized"]
            earlier = kept.get(code.casefold()) if code and number not in self.plan.rejected else None
            if earlier is not None and earlier == (data, {a.casefold() for a in aliases}):
                # The same credential again, however its kind or yes/no was spelled: one credential.
                self.plan.duplicate_rows += 1
                continue
            if code:
                self._check_code(number, code, aliases)
            if number not in self.plan.rejected:
                records.append(CatalogRow(row=number, code=code, fields=data, aliases=aliases))
                kept[code.casefold()] = (data, {a.casefold() for a in aliases})
        self._diff(records)

    def _check_code(self, number: int, code: str, aliases: list[str]) -> None:
        """A code given twice, or that is another credential's alias (awards naming it would be ambiguous),
        and aliases that are too long or name another credential, in the catalog or in the file."""
        key = code.casefold()
        other = self.codes_seen.get(key)
        if other:
            self.error(number, "code", f"code '{code}' is already on row {other}")
        self.codes_seen[key] = number
        current = self.existing.get(key)
        if current is None:
            owner = self.taken.get(key)
            row_owner = self.aliases_seen.get(key)
            if owner:
                self.error(number, "code", f"code '{code}' is already an alias of credential {self.code_of[owner[0]]}")
            elif row_owner:
                self.error(number, "code", f"code '{code}' is an alias of the credential on row {row_owner[1]}")
        limit = CredentialAlias._meta.get_field("alias").max_length
        for alias in aliases:
            if len(alias) > limit:
                self.error(number, "aliases", f"alias '{alias[:30]}…' is longer than {limit} characters")
                continue
            folded = alias.casefold()
            holder = self.existing.get(folded)
            owner = self.taken.get(folded)
            row_owner = self.aliases_seen.get(folded)
            if holder is not None:
                self.error(number, "aliases", f"alias '{alias}' is the code of credential {holder.code}")
            elif owner:
                if current is None or owner[0] != current.pk:
                    message = f"alias '{alias}' already belongs to credential {self.code_of[owner[0]]}"
                    self.error(number, "aliases", message)
            elif folded in self.codes_seen:
                message = f"alias '{alias}' is the code of the credential on row {self.codes_seen[folded]}"
                self.error(number, "aliases", message)
            elif row_owner and row_owner[0] != key:
                self.error(number, "aliases", f"alias '{alias}' is also on row {row_owner[1]}")
            self.aliases_seen.setdefault(folded, (key, number))

    def _diff(self, records: list[CatalogRow]) -> None:
        """What writing would create, change or leave alone."""
        new, changed, new_aliases = [], [], []
        for record in records:
            code, data, aliases = record.code, record.fields, record.aliases
            current = self.existing.get(code.casefold())
            if current is None:
                new.append(Credential(code=code, **data))
                self.plan.counts.created += 1
            else:
                differs = any(getattr(current, k) != val for k, val in data.items())
                if differs:
                    for k, val in data.items():
                        setattr(current, k, val)
                    changed.append(current)
                owned = {a.casefold() for a in aliases if self.taken.get(a.casefold(), (None,))[0] == current.pk}
                missing = [a for a in aliases if a.casefold() not in owned]
                if differs or missing:
                    self.plan.counts.updated += 1
                else:
                    self.plan.counts.unchanged += 1
            new_aliases.extend((code.casefold(), a) for a in aliases if a.casefold() not in self.taken)
        self.plan.records = new
        self.plan.changed = changed
        self.plan.aliases = new_aliases
        self.plan.fields = sorted({k for r in records for k in r.fields})

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        Credential.objects.bulk_create(self.plan.records)
        changed = self.plan.changed
        if changed:
            Credential.objects.bulk_update(changed, self.plan.fields)
        by_code = {code.casefold(): pk for pk, code in Credential.objects.values_list("pk", "code")}
        created = list(Credential.objects.filter(code__in=[c.code for c in self.plan.records]))
        self.history(Credential, created, update=False, user=user, batch=batch)
        self.history(Credential, changed, update=True, user=user, batch=batch)
        CredentialAlias.objects.bulk_create(
            [CredentialAlias(credential_id=by_code[code], alias=alias) for code, alias in self.plan.aliases]
        )
        return self.plan.counts
