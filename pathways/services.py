"""Writes to career clusters, programs and courses."""

from __future__ import annotations

from django.db import transaction

from pathways.models import CareerCluster, CareerPathway
from pathways.reference.national_clusters import CLUSTERS, FRAMEWORK, pathway_code


@transaction.atomic
def career_framework_load() -> int:
    """Load the national clusters and pathways that are missing; returns how many rows it created."""
    created = 0
    for cluster_code, cluster_name, pathway_names in CLUSTERS:
        cluster, made = CareerCluster.objects.get_or_create(
            code=cluster_code, defaults={"name": cluster_name, "framework": FRAMEWORK}
        )
        created += made
        for position, name in enumerate(pathway_names, start=1):
            _, made = CareerPathway.objects.get_or_create(
                code=pathway_code(cluster_code, position), defaults={"name": name, "cluster": cluster}
            )
            created += made
    return created
