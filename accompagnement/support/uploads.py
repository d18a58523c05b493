"""Checks on the files people attach: size, and type read from the content.

A file's name and the type the browser announces are chosen by the sender; only the
bytes count. Binary formats are recognised by their signature (`filetype`); office
documents are zip or OLE containers, so the container's content must match the
extension too. Text formats (CSV, TXT) have no signature: they must hold no NUL byte
and decode as UTF-8 or Windows-1252 (what a French office suite writes).

A zip container can hold a few kilobytes that inflate to gigabytes (a "zip bomb"). The
portal never inflates a whole member: it reads the one it needs (`mimetype`) through a
bounded stream, and it refuses an archive whose central directory announces an absurd
content (too many members, too much once inflated for the file's size, a member said to be
smaller than its own compressed data), which whoever downloads the file would inflate.
"""

import io
import zipfile
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # 10 Mio per file
MAX_UPLOAD_FILES = 10  # per form submission

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"
CSV = "text/csv"
TXT = "text/plain"

# Extension -> the content type its content must be detected as.
CONTENT_TYPE_BY_EXTENSION = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "xlsx": XLSX,
    "xls": XLS,
    "docx": DOCX,
    "ods": ODS,
    "odt": ODT,
    "csv": CSV,
    "txt": TXT,
}
TEXT_TYPES = frozenset({CSV, TXT})
ALLOWED_CONTENT_TYPES = frozenset(CONTENT_TYPE_BY_EXTENSION.values())
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in CONTENT_TYPE_BY_EXTENSION)
ALLOWED_FORMATS_LABEL = "PDF, PNG, JPEG, XLSX, XLS, CSV, ODS, ODT, DOCX, TXT"

# The member that identifies an Office Open XML document inside its zip container.
_OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
_OPENDOCUMENT = frozenset({ODS, ODT})
# The stream name (UTF-16LE in the OLE directory) of an Excel 97-2003 workbook.
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What a zip container may announce (office documents hold tens to a few thousand members,
# and inflate 5 to 20 times). Declared sizes are those of the central directory; zipfile
# never inflates a member past its declared size (it stops there and checks the CRC).
_ZIP_CONTAINERS = frozenset({*_OOXML_MAIN_PART, *_OPENDOCUMENT})
MAX_ARCHIVE_MEMBERS = 10_000
MAX_ARCHIVE_UNCOMPRESSED_SIZE = 500 * 1024 * 1024  # all members together, once inflated
MAX_ARCHIVE_RATIO = 100  # inflated size / size of the file, once past MAX_UPLOAD_SIZE
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"  # every member has one: at most this many members
# An ODF `mimetype` member is about 50 bytes; nothing more is read of it.
_MIMETYPE_MAX_BYTES = 256


def _read_all(uploaded_file: UploadedFile) -> bytes:
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    return data


def _member_size_is_credible(member: zipfile.ZipInfo) -> bool:
    """Deflating never grows data by more than a few bytes per block: a member whose
    compressed data outweighs its declared size lies about what it inflates to."""
    return member.compress_size <= member.file_size + member.file_size // 100 + 1024


def _is_zip_bomb(data: bytes) -> bool:
    """An archive whose central directory announces an absurd content (see the module's
    docstring). Read from the directory alone: nothing is inflated."""
    # Checked before zipfile builds one object per member.
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_ARCHIVE_MEMBERS:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return False  # not a readable zip: its type is refused further on
    inflated = sum(member.file_size for member in members)
    return (
        len(members) > MAX_ARCHIVE_MEMBERS
        or inflated > MAX_ARCHIVE_UNCOMPRESSED_SIZE
        or (inflated > MAX_UPLOAD_SIZE and inflated > MAX_ARCHIVE_RATIO * len(data))
        or not all(_member_size_is_credible(member) for member in members)
    )


def _zip_content_type(data: bytes) -> str | None:
    """The office type of a zip container, read from its members (None if neither)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    head = member.read(_MIMETYPE_MAX_BYTES + 1)
                mimetype = head.decode("ascii", "replace").strip()
                if len(head) <= _MIMETYPE_MAX_BYTES and mimetype in _OPENDOCUMENT:
                    return mimetype
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    for content_type, main_part in _OOXML_MAIN_PART.items():
        if main_part in names:
            return content_type
    return None


def _detected_binary_type(data: bytes, expected: str) -> str | None:
    kind = filetype.guess(data)
    detected = kind.mime if kind is not None else None
    if detected == expected:
        return detected
    # filetype reads the first entries only: a valid document whose entries come in
    # another order is reported as a bare zip; look inside it before refusing.
    if detected == "application/zip" and (
        expected in _OOXML_MAIN_PART or expected in _OPENDOCUMENT
    ):
        return _zip_content_type(data)
    # filetype knows only some Excel 97-2003 layouts: an OLE container holding a
    # workbook stream, and recognised as nothing else, is one too.
    if expected == XLS and detected is None and data.startswith(_OLE_SIGNATURE):
        return XLS if any(stream in data for stream in _XLS_STREAMS) else None
    return detected


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def validate_upload(uploaded_file: UploadedFile) -> str:
    """Check one uploaded file; return its content type, read from its content.

    Raises a French `ValidationError` that names the file.
    """
    name = PurePath(uploaded_file.name or "").name
    params = {"name": name, "formats": ALLOWED_FORMATS_LABEL}
    if uploaded_file.size > MAX_UPLOAD_SIZE:
        raise ValidationError(
            _(
                "« %(name)s » dépasse la taille maximale de %(max)d Mo par fichier "
                "(il fait %(size)s)."
            ),
            code="file_too_large",
            params={
                **params,
                "max": MAX_UPLOAD_SIZE // (1024 * 1024),
                "size": filesizeformat(uploaded_file.size),
            },
        )
    if not uploaded_file.size:
        raise ValidationError(_("« %(name)s » est vide."), code="file_empty", params=params)

    extension = PurePath(name).suffix.lower().lstrip(".")
    expected = CONTENT_TYPE_BY_EXTENSION.get(extension)
    if expected is None:
        raise ValidationError(
            _("« %(name)s » n'est pas d'un format accepté (formats acceptés : %(formats)s)."),
            code="file_type_not_allowed",
            params=params,
        )

    data = _read_all(uploaded_file)
    if expected in _ZIP_CONTAINERS and _is_zip_bomb(data):
        raise ValidationError(
            _(
                "Le contenu de « %(name)s » deviendrait démesuré une fois décompressé : le "
                "fichier est refusé. Enregistrez-le à nouveau depuis votre logiciel, ou "
                "envoyez-le en PDF."
            ),
            code="file_archive_too_large",
            params=params,
        )
    if expected in TEXT_TYPES:
        if _is_plain_text(data):
            return expected
    elif _detected_binary_type(data, expected) == expected:
        return expected
    raise ValidationError(
        _(
            "Le contenu de « %(name)s » ne correspond pas à un fichier %(extension)s : "
            "le fichier est refusé. Vérifiez qu'il s'ouvre correctement, ou enregistrez-le "
            "à nouveau dans l'un des formats acceptés (%(formats)s)."
        ),
        code="file_content_mismatch",
        params={**params, "extension": extension.upper()},
    )
