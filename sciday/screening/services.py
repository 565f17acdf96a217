"""Writes to the sensitive-word lists. Campaign admins only; every change is audited and makes
the matcher rebuild that campaign's automaton (see `matcher.list_changed`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from sciday.campaigns.models import Campaign
from sciday.core.audit import audit_record
from sciday.core.errors import Conflict, DomainError
from sciday.screening import matcher
from sciday.screening.models import WORD_MAX_LENGTH, SensitiveWord
from sciday.screening.policy import require_manage
from sciday.screening.text import normalize_word

# An import is refused past these (a pasted list or an uploaded .txt file).
IMPORT_MAX_LINES = 20_000
IMPORT_MAX_BYTES = 1024 * 1024


def _clean_word(word: str, *, field: str = "word") -> str:
    value = normalize_word(word)
    if not value:
        raise DomainError(_("Enter a word."), field=field, code="required")
    if any(ch in value for ch in "\r\n"):
        raise DomainError(_("A word is one line."), field=field, code="invalid")
    if len(value) > WORD_MAX_LENGTH:
        raise DomainError(
            _("“%(word)s…” is too long: a word has at most %(max)d characters.")
            % {"word": value[:10], "max": WORD_MAX_LENGTH},
            field=field,
            code="too_long",
        )
    return value


def _clean_extra(category: str, note: str) -> tuple[str, str]:
    category, note = " ".join((category or "").split()), (note or "").strip()
    if len(category) > 50:
        raise DomainError(_("A category has at most 50 characters."), field="category")
    if len(note) > 200:
        raise DomainError(_("A note has at most 200 characters."), field="note")
    return category, note


def _duplicate(word: str) -> Conflict:
    return Conflict(
        _("“%(word)s” is already in the list.") % {"word": word}, field="word", code="duplicate"
    )


@transaction.atomic
def word_add(
    *, actor, campaign: Campaign, word: str, category: str = "", note: str = ""
) -> SensitiveWord:
    """Add one word to `campaign`'s list; refused when empty, too long or already listed."""
    require_manage(actor)
    value = _clean_word(word)
    category, note = _clean_extra(category, note)
    if SensitiveWord.objects.filter(campaign=campaign, word=value).exists():
        raise _duplicate(value)
    try:
        with transaction.atomic():
            item = SensitiveWord.objects.create(
                campaign=campaign, word=value, category=category, note=note, created_by=actor
            )
    except IntegrityError as exc:  # a concurrent add of the same word
        raise _duplicate(value) from exc
    audit_record(actor=actor, action="screening.word.added", obj=item, changes={"word": value})
    matcher.list_changed(campaign.pk)
    return item


@transaction.atomic
def word_update(
    *,
    actor,
    item: SensitiveWord,
    word: str | None = None,
    category: str | None = None,
    note: str | None = None,
    is_active: bool | None = None,
) -> SensitiveWord:
    """Change a word, its category or note, or switch it on or off. None leaves a field as is."""
    require_manage(actor)
    item = SensitiveWord.objects.select_for_update().get(pk=item.pk)
    before: dict[str, object] = {"word": item.word, "category": item.category, "note": item.note}
    before["is_active"] = item.is_active
    if word is not None:
        value = _clean_word(word)
        if (
            value != item.word
            and SensitiveWord.objects.filter(campaign_id=item.campaign_id, word=value).exists()
        ):
            raise _duplicate(value)
        item.word = value
    new_category, new_note = _clean_extra(
        item.category if category is None else category, item.note if note is None else note
    )
    item.category, item.note = new_category, new_note
    if is_active is not None:
        item.is_active = is_active
    changes = {k: [v, getattr(item, k)] for k, v in before.items() if getattr(item, k) != v}
    if not changes:
        return item
    item.save()
    audit_record(actor=actor, action="screening.word.updated", obj=item, changes=changes)
    matcher.list_changed(item.campaign_id)
    return item


def word_deactivate(*, actor, item: SensitiveWord) -> SensitiveWord:
    """Stop matching a word; it stays in the list (and can be switched on again)."""
    return word_update(actor=actor, item=item, is_active=False)


def word_activate(*, actor, item: SensitiveWord) -> SensitiveWord:
    return word_update(actor=actor, item=item, is_active=True)


@transaction.atomic
def word_delete(*, actor, item: SensitiveWord) -> None:
    """Remove a word from the list for good."""
    require_manage(actor)
    campaign_id, word = item.campaign_id, item.word
    audit_record(actor=actor, action="screening.word.deleted", obj=item, object_repr=word)
    item.delete()
    matcher.list_changed(campaign_id)


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped_blank: int
    skipped_duplicate: int

    @property
    def skipped(self) -> int:
        return self.skipped_blank + self.skipped_duplicate


def decode_upload(data: bytes) -> str:
    """Decode an uploaded word list: UTF-8 (BOM or not), else GB18030; refused if neither."""
    if len(data) > IMPORT_MAX_BYTES:
        raise DomainError(
            _("The file is too large: at most 1 MB of words."), field="file", code="too_large"
        )
    if b"\x00" in data:
        raise DomainError(_("That is not a text file."), field="file", code="not_text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        _("The file could not be read as text: save it as UTF-8."), field="file", code="encoding"
    )


@transaction.atomic
def words_import(
    *, actor, campaign: Campaign, text: str, category: str = "", field: str = "text"
) -> ImportResult:
    """Add one word per line of `text`, all or nothing.

    Blank lines and words already listed (or repeated in `text`) are skipped and counted. Refused,
    with nothing written: an empty list, too many lines, or any line longer than a word may be.
    """
    require_manage(actor)
    category, _note = _clean_extra(category, "")
    lines = (text or "").splitlines()
    if len(lines) > IMPORT_MAX_LINES:
        raise DomainError(
            _("Too many lines: import at most %(max)d words at a time.")
            % {"max": IMPORT_MAX_LINES},
            field=field,
            code="too_many",
        )
    blank, wanted = 0, []
    for number, line in enumerate(lines, start=1):
        value = normalize_word(line)
        if not value:
            blank += 1
            continue
        if len(value) > WORD_MAX_LENGTH:
            raise DomainError(
                _("Line %(line)d is too long: a word has at most %(max)d characters.")
                % {"line": number, "max": WORD_MAX_LENGTH},
                field=field,
                code="too_long",
            )
        wanted.append(value)
    if not wanted:
        raise DomainError(_("The list has no words: one word per line."), field=field, code="empty")
    unique = list(dict.fromkeys(wanted))
    existing = set(
        SensitiveWord.objects.filter(campaign=campaign, word__in=unique).values_list(
            "word", flat=True
        )
    )
    new = [w for w in unique if w not in existing]
    try:
        with transaction.atomic():
            SensitiveWord.objects.bulk_create(
                [
                    SensitiveWord(campaign=campaign, word=w, category=category, created_by=actor)
                    for w in new
                ],
                batch_size=1000,
            )
    except IntegrityError as exc:  # someone added one of these words meanwhile
        raise Conflict(
            _("The list changed while importing: import again."), field=field, code="changed"
        ) from exc
    result = ImportResult(
        added=len(new), skipped_blank=blank, skipped_duplicate=len(wanted) - len(new)
    )
    audit_record(
        actor=actor,
        action="screening.words.imported",
        obj=campaign,
        changes={
            "added": result.added,
            "skipped_blank": result.skipped_blank,
            "skipped_duplicate": result.skipped_duplicate,
        },
    )
    if new:
        matcher.list_changed(campaign.pk)
    return result
