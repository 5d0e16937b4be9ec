"""Reply drafts for conversations: through the ai pipeline (apps.ai.services), so budget,
ledger and provenance are the same as every other kind. Without an endpoint the offline
generator runs at once in this process (milliseconds per draft); with one, the job is queued
for the ai workers."""

from __future__ import annotations

from apps.ai.backends.offline import OfflineBackend
from apps.ai.services import JOB_KIND, backend_for, generation_batch_run, generation_start
from apps.core import services as jobs
from apps.core.models import Job

from ..generation import KIND
from ..models import Conversation


def reply_drafts_generate(
    *, org, actor, conversation_ids: list[int], offline: bool | None = None
) -> Job:
    """Draft replies for the organization's conversations among the ids."""
    use_offline = offline if offline is not None else backend_for(org=org).provider == "offline"
    if not use_offline:
        return generation_start(org=org, actor=actor, kind=KIND, target_ids=conversation_ids)
    ids = list(
        Conversation.objects.for_org(org)
        .filter(pk__in=conversation_ids)
        .values_list("pk", flat=True)
    )
    job = jobs.job_create(
        org=org,
        kind=JOB_KIND,
        actor=actor,
        total=len(ids),
        label=f"Customer-service reply for {len(ids)} conversations",
    )
    job.result = {"kind": KIND, "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    if ids:
        generation_batch_run(
            org=org, job_id=job.pk, kind=KIND, target_ids=ids, backend=OfflineBackend()
        )
    job.refresh_from_db()
    return job
