"""REST API of customer service: conversations (list, detail, messages, reply for review, close
without reply, draft with AI), inbound mail (raw RFC 822 from a forwarding gateway, or JSON
messages from other channels), attachments (tenant-checked download) and knowledge base."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Store
from apps.core.api import OrgPrimaryKeyRelatedField, ServiceViewSet, TenantViewSet, request_actor
from apps.core.errors import ValidationFailed
from apps.core.models import Job

from . import selectors
from .models import Attachment, Conversation, KnowledgeArticle, Macro, Message
from .services import ingest, kb, replies, team
from .services.drafts import reply_drafts_generate
from .services.ingest import NOTE_MAX
from .services.lint import REPLY_LINT_MAX, reply_lint
from .services.structured import message_ingest_structured

# Conversations ---------------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "message_id",
            "sender",
            "sent_at",
            "text",
            "language",
            "translation",
            "translation_language",
            "translation_method",
            "hidden_text",
            "looks_like_instruction",
            "send_status",
            "attachments",
        ]
        read_only_fields = fields

    def get_attachments(self, obj) -> list[dict]:
        return [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in obj.attachments.all()
        ]


class ConversationSerializer(serializers.ModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "store",
            "store_name",
            "channel",
            "buyer_alias",
            "buyer_name",
            "marketplace_order_id",
            "order",
            "product",
            "asins",
            "subject",
            "language",
            "intent",
            "sentiment",
            "understanding_method",
            "priority",
            "status",
            "assignee",
            "last_buyer_message_at",
            "sla_due_at",
            "responded_at",
            "no_response_needed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=4000)


class LintInputSerializer(serializers.Serializer):
    reply = serializers.CharField(
        max_length=REPLY_LINT_MAX, allow_blank=True, trim_whitespace=False
    )


class LintCheckSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField(help_text="error | warning | info")
    message = serializers.CharField()
    field = serializers.CharField(allow_blank=True)


class UngroundedClaimSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="offset of the claim in the reply")
    end = serializers.IntegerField()


class LintResultSerializer(serializers.Serializer):
    checks = LintCheckSerializer(many=True)
    ungrounded = UngroundedClaimSerializer(many=True)


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_MAX)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=2**31 - 1, allow_null=True)


class DraftRef(serializers.Serializer):
    draft = serializers.IntegerField()
    status = serializers.CharField()
    checks = serializers.ListField(child=serializers.DictField())


class ConversationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = Conversation.objects.all()
    serializer_class = ConversationSerializer
    filterset_fields = ["store", "language", "intent", "status", "sentiment"]
    ordering_fields = ["sla_due_at", "id", "priority", "last_buyer_message_at"]
    write_role = "manager"

    def scope_queryset(self, queryset):
        return queryset.select_related("store").order_by(
            selectors.status_rank(), "sla_due_at", "-id"
        )

    @extend_schema(responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None):
        convo = self.get_object()
        qs = convo.messages.prefetch_related("attachments").order_by("sent_at", "id")
        return Response(MessageSerializer(qs, many=True).data)

    @extend_schema(
        request=ReplySerializer,
        responses={
            201: DraftRef,
            202: inline_serializer(
                "SupportReplyTranslationJob", {"job": serializers.IntegerField()}
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Submit a reply: it becomes a cs_reply draft in the review queue (lint + grounding).
        A reply in Chinese to a buyer who does not write Chinese is translated by the model
        first (202 with the job; the draft carries a Chinese back-translation); without an LLM
        endpoint it is refused (400, code `translation_needs_llm`)."""
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = replies.reply_submit(
            org=self.org,
            actor=request_actor(request),
            conversation=self.get_object(),
            text=data.validated_data["reply"],
        )
        if isinstance(draft, Job):
            return Response({"job": draft.pk}, status=status.HTTP_202_ACCEPTED)
        return Response(
            {"draft": draft.pk, "status": draft.status, "checks": draft.checks},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={202: inline_serializer("SupportDraftJob", {"job": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        job = reply_drafts_generate(
            org=self.org, actor=request_actor(request), conversation_ids=[self.get_object().pk]
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer(
                "SupportRereadQueued",
                {"queued": serializers.IntegerField(min_value=0, max_value=200)},
            )
        },
    )
    @action(detail=True, methods=["post"])
    def reread(self, request, pk=None):
        """Queue the model's reading (translation, intent, sentiment) of this conversation's
        messages that were read offline (at most 200); 400 without an LLM endpoint."""
        from apps.core.errors import ValidationFailed

        from .services.reread import offline_readings_reread
        from .understanding_llm import llm_configured

        convo = self.get_object()
        if not llm_configured(org=self.org):
            raise ValidationFailed(
                "Reading with the LLM needs an LLM endpoint (AI settings).", code="needs_llm"
            )
        queued = offline_readings_reread(org=self.org, conversation=convo)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=AssignSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign the conversation to a member of the organization (null: unassign)."""
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        convo = team.conversation_assign(
            org=self.org,
            actor=request_actor(request),
            conversation=self.get_object(),
            assignee_id=data.validated_data.get("assignee"),
        )
        return Response(ConversationSerializer(convo).data)

    @extend_schema(request=LintInputSerializer, responses=LintResultSerializer)
    @action(detail=True, methods=["post"], write_role="viewer")
    def lint(self, request, pk=None):
        """Live checks of a reply text, stored nowhere (the reply editor's checks): rule
        findings in both languages, and claims the conversation's data does not back, with
        their positions. Any role may call it; an API key needs `support:write` (a POST)."""
        data = LintInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = reply_lint(
            org=self.org, conversation=self.get_object(), text=data.validated_data["reply"]
        )
        return Response(result)

    @extend_schema(request=NoteInputSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """An internal note on the conversation: never sent to the buyer."""
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = ingest.message_note_add(
            org=self.org,
            actor=request_actor(request),
            conversation=self.get_object(),
            text=data.validated_data["text"],
        )
        return Response(MessageSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"], url_path="close-no-response")
    def close_no_response(self, request, pk=None):
        convo = ingest.conversation_close_no_response(
            org=self.org, actor=request_actor(request), conversation=self.get_object()
        )
        return Response(ConversationSerializer(convo).data)


# Inbound ------------------------------------------------------------------------------------


class RawMailParser(parsers.BaseParser):
    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"raw": stream.read(ingest.RAW_MAX + 1)}


class InboundJsonSerializer(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    raw = serializers.CharField(
        required=False,
        max_length=ingest.RAW_MAX,
        trim_whitespace=False,
        help_text="A whole RFC 822 message as text.",
    )
    buyer_alias = serializers.CharField(required=False, max_length=255)
    buyer_name = serializers.CharField(required=False, max_length=200, allow_blank=True)
    marketplace_order_id = serializers.CharField(required=False, max_length=64, allow_blank=True)
    message_id = serializers.CharField(required=False, max_length=998, allow_blank=True)
    subject = serializers.CharField(required=False, max_length=500, allow_blank=True)
    text = serializers.CharField(required=False, max_length=100_000)
    sent_at = serializers.DateTimeField(required=False)


class IngestResultSerializer(serializers.Serializer):
    message = serializers.IntegerField()
    conversation = serializers.IntegerField()
    created = serializers.BooleanField()


class InboundMailViewSet(TenantViewSet):
    """POST a message: `message/rfc822` bytes with `?store=<id>` (a forwarding gateway), or
    JSON with `store` and either `raw` (RFC 822 text) or the fields of a message from another
    channel. The same Message-ID twice answers the stored message with created=false."""

    queryset = Message.objects.all()
    parser_classes = [parsers.JSONParser, RawMailParser]
    write_role = "manager"

    def _store(self, store_id) -> Store:
        try:
            store = Store.objects.for_org(self.org).filter(pk=int(store_id)).first()
        except (TypeError, ValueError):
            store = None
        if store is None:
            raise ValidationFailed("Give the id of one of your stores.", field="store")
        return store

    @extend_schema(
        request={
            "application/json": InboundJsonSerializer,
            "message/rfc822": {"type": "string", "format": "binary"},
        },
        parameters=[
            OpenApiParameter(
                "store", int, required=False, description="The store (for message/rfc822 bodies)."
            )
        ],
        responses={201: IngestResultSerializer, 200: IngestResultSerializer},
    )
    def create(self, request):
        if request.content_type.startswith("message/rfc822"):
            store = self._store(request.query_params.get("store"))
            result = ingest.mail_ingest(org=self.org, store=store, raw=request.data["raw"])
        else:
            data = InboundJsonSerializer(data=request.data, context={"org": self.org})
            data.is_valid(raise_exception=True)
            v = dict(data.validated_data)
            store = v.pop("store")
            if v.get("raw"):
                raw = v["raw"].encode("utf-8", "replace")
                result = ingest.mail_ingest(org=self.org, store=store, raw=raw)
            else:
                result = message_ingest_structured(org=self.org, store=store, **v)
        body = {
            "message": result.message.pk,
            "conversation": result.message.conversation_id,
            "created": result.created,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


# Attachments -----------------------------------------------------------------------------------


class AttachmentViewSet(TenantViewSet):
    queryset = Attachment.objects.all()

    @extend_schema(
        responses={(200, "application/octet-stream"): {"type": "string", "format": "binary"}}
    )
    def retrieve(self, request, pk=None):
        att = self.get_object()
        response = HttpResponse(bytes(att.data), content_type="application/octet-stream")
        safe = "".join(ch for ch in att.filename if ch.isalnum() or ch in "._- ")[:100] or "file"
        response["Content-Disposition"] = f'attachment; filename="{safe}"'
        return response


# Knowledge base --------------------------------------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeArticle
        fields = [
            "id",
            "title",
            "body",
            "language",
            "tags",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=20000)
    language = serializers.ChoiceField(choices=kb.LANGUAGES, default="en")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=20, required=False
    )
    is_active = serializers.BooleanField(default=True)


class KnowledgeArticleViewSet(ServiceViewSet):
    queryset = KnowledgeArticle.objects.all()
    serializer_class = ArticleSerializer
    create_serializer_class = ArticleInputSerializer
    update_serializer_class = ArticleInputSerializer
    filterset_fields = ["language", "is_active"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.order_by("id")

    def create_object(self, data):
        return kb.kb_article_save(org=self.org, **data)

    def update_object(self, instance, data, expected_version):
        return kb.kb_article_save(org=self.org, article=instance, **data)

    def delete_object(self, instance) -> None:
        kb.kb_article_delete(org=self.org, article=instance)


# Macros -----------------------------------------------------------------------------------------


class MacroSerializer(serializers.ModelSerializer):
    class Meta:
        model = Macro
        fields = ["id", "name", "language", "intent", "body", "created_at", "updated_at"]
        read_only_fields = fields


class MacroInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)
    language = serializers.ChoiceField(choices=kb.LANGUAGES, default="en")
    intent = serializers.ChoiceField(
        choices=Conversation.Intent.choices, required=False, allow_blank=True, default=""
    )


class MacroRenderSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    variables = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=500))


class MacroViewSet(ServiceViewSet):
    """Canned answers with variables; `render` fills them from one conversation."""

    queryset = Macro.objects.all()
    serializer_class = MacroSerializer
    create_serializer_class = MacroInputSerializer
    update_serializer_class = MacroInputSerializer
    filterset_fields = ["language", "intent"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.order_by("id")

    def create_object(self, data):
        return kb.macro_save(org=self.org, **data)

    def update_object(self, instance, data, expected_version):
        return kb.macro_save(org=self.org, macro=instance, **data)

    def delete_object(self, instance) -> None:
        kb.macro_delete(org=self.org, macro=instance)

    @extend_schema(
        parameters=[OpenApiParameter("conversation", int, required=True)],
        responses=MacroRenderSerializer,
    )
    @action(detail=True, methods=["get"], url_path="render")
    def filled(self, request, pk=None):
        """The macro's text with its variables filled from the conversation (order id,
        tracking number, buyer name …); a variable without a value stays in braces."""
        macro = self.get_object()
        raw = str(request.query_params.get("conversation") or "")
        if not raw.isdigit() or len(raw) > 18:
            raise ValidationFailed("Give the conversation's id.", field="conversation")
        convo = selectors.conversation_get(org=self.org, conversation_id=int(raw))
        values = selectors.macro_variables(org=self.org, conversation=convo)
        return Response({"text": kb.macro_render(macro, values), "variables": values})
