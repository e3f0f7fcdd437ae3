"""Check uploaded files before anything is stored.

The extension must be allowed for the question, the bytes must be what the extension
says, the size must fit, and images are re-encoded (which drops EXIF location data)
with their pixel count bounded before decoding.
"""

import io
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image

ABSOLUTE_MAX_BYTES = 25 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}


@dataclass
class CheckedUpload:
    original_name: str
    extension: str
    content_type: str
    content: bytes

    def as_file(self) -> ContentFile:
        return ContentFile(self.content)


def safe_name(name: str) -> str:
    """Keep a readable original name: no folders, control characters or odd length."""
    name = PurePosixPath(str(name).replace("\\", "/")).name
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFC", name)
        if unicodedata.category(ch)[0] != "C"
    )
    name = name.strip().strip(".") or "file"
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:140] + dot + ext[:8]) if dot else name[:150]
    return name


def _zip_names(content: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        return None


def _odf_mimetype(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.read("mimetype").decode("ascii", "replace").strip()
    except (KeyError, zipfile.BadZipFile):
        return ""


def sniff(content: bytes) -> str | None:
    """The file type the bytes really are, among those we accept."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        names = _zip_names(content) or []
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
        mimetype = _odf_mimetype(content)
        if mimetype == CONTENT_TYPES["odt"]:
            return "odt"
        if mimetype == CONTENT_TYPES["ods"]:
            return "ods"
    return None


def _reencode_image(content: bytes, kind: str) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _("This image is too large. Use an image under 40 megapixels.")
                    )
                image.load()
                output = io.BytesIO()
                if kind == "png":
                    image.save(output, format="PNG", optimize=True)
                else:
                    image.convert("RGB").save(output, format="JPEG", quality=90)
                return output.getvalue()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                _("This image is too large. Use an image under 40 megapixels.")
            ) from error
        except (OSError, SyntaxError) as error:
            raise ValidationError(
                _("We could not read this image. Try saving it again, or upload a PDF.")
            ) from error


def _field_rules(sections, field_id):
    for section in sections:
        for field_def in section.fields:
            if field_def.id == field_id and field_def.type == "file":
                return field_def.options
    raise ValidationError(_("This question does not take a file."))


def check_upload(upload, *, field_id, sections) -> CheckedUpload:
    """Refuse a file unless its type, bytes and size are what this question allows."""
    rules = _field_rules(sections, field_id)
    allowed = list(rules.get("allowed_types") or ["pdf"])
    max_bytes = min(
        int(rules.get("max_size_mb") or 10) * 1024 * 1024, ABSOLUTE_MAX_BYTES
    )
    name = safe_name(upload.name)
    extension = EXTENSION_ALIASES.get(
        name.rpartition(".")[2].lower(), name.rpartition(".")[2].lower()
    )
    readable = ", ".join(t.upper() for t in allowed)
    if extension not in allowed:
        raise ValidationError(
            {
                field_id: _("Upload a file of one of these types: %(types)s.")
                % {"types": readable}
            }
        )
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field_id: _(
                    "This file is bigger than %(size)s MB. Try a smaller file, or save it as a PDF."
                )
                % {"size": max_bytes // (1024 * 1024)}
            }
        )
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(
            {
                field_id: _("This file is bigger than %(size)s MB.")
                % {"size": max_bytes // (1024 * 1024)}
            }
        )
    if not content:
        raise ValidationError(
            {field_id: _("This file is empty. Choose the file again.")}
        )
    if sniff(content) != extension:
        raise ValidationError(
            {
                field_id: _(
                    "This file does not look like a %(type)s file inside. Save it again as %(type)s and upload that."
                )
                % {"type": extension.upper()}
            }
        )
    if extension in ("png", "jpg"):
        try:
            content = _reencode_image(content, extension)
        except ValidationError as error:
            raise ValidationError({field_id: error.messages}) from error
    return CheckedUpload(
        original_name=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        content=content,
    )
