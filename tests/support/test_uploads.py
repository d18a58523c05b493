import io
import random
import struct
import tracemalloc
import zipfile
import zlib

import filetype
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from accompagnement.support import uploads
from accompagnement.support.uploads import MAX_UPLOAD_SIZE, validate_upload

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def png_bytes() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def zip_bytes(entries: list[tuple[str, str]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(entries):
            compress = zipfile.ZIP_STORED if stored_first and index == 0 else None
            archive.writestr(name, content, compress_type=compress)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<R/>"),
            ("word/document.xml", "<w/>"),
        ]
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<R/>"), ("xl/workbook.xml", "<x/>")]
    )


def opendocument_bytes(mimetype: str) -> bytes:
    # As LibreOffice writes them: an uncompressed `mimetype` entry first.
    return zip_bytes([("mimetype", mimetype), ("content.xml", "<c/>")], stored_first=True)


def ole_bytes(marker: bytes) -> bytes:
    """An OLE2 compound file header followed by `marker` (a directory entry name)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + marker + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("note.pdf", PDF_BYTES, uploads.PDF),
        ("NOTE.PDF", PDF_BYTES, uploads.PDF),
        ("capture.png", png_bytes(), uploads.PNG),
        ("photo.jpg", JPEG_BYTES, uploads.JPEG),
        ("photo.jpeg", JPEG_BYTES, uploads.JPEG),
        ("courrier.docx", docx_bytes(), uploads.DOCX),
        ("suivi.xlsx", xlsx_bytes(), uploads.XLSX),
        ("suivi.ods", opendocument_bytes(uploads.ODS), uploads.ODS),
        ("courrier.odt", opendocument_bytes(uploads.ODT), uploads.ODT),
        ("ancien.xls", ole_bytes("Workbook".encode("utf-16-le")), uploads.XLS),
        ("export.csv", "Libellé;Montant\nFournitures;12,50\n".encode(), uploads.CSV),
        ("export.csv", "Libellé;Montant\n".encode("cp1252"), uploads.CSV),
        ("export.csv", "\ufeffEJ;Montant\n".encode(), uploads.CSV),
        ("journal.txt", b"Erreur CHORUS 4012 au chargement\n", uploads.TXT),
    ],
)
def test_accepted_files_return_the_type_read_from_their_content(name, content, expected):
    assert validate_upload(upload(name, content, "application/x-anything")) == expected


def test_office_document_is_recognised_whatever_the_order_of_its_entries():
    # filetype only looks at the first entries: here it sees a bare zip.
    content = zip_bytes([*((f"z{i}.xml", "<a/>") for i in range(5)), ("word/document.xml", "")])
    assert filetype.guess(content).mime == "application/zip"
    assert validate_upload(upload("courrier.docx", content)) == uploads.DOCX


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("facture.pdf", EXE_BYTES),  # an executable renamed .pdf
        ("capture.png", PDF_BYTES),
        ("capture.jpg", png_bytes()),
        ("courrier.docx", xlsx_bytes()),
        ("suivi.xlsx", docx_bytes()),
        ("suivi.xlsx", zip_bytes([("virus.exe", "MZ")])),
        ("suivi.ods", opendocument_bytes(uploads.ODT)),
        ("ancien.xls", ole_bytes("WordDocument".encode("utf-16-le"))),
        ("ancien.xls", EXE_BYTES),
        ("export.csv", EXE_BYTES),  # NUL bytes: not text
        ("export.csv", b"a;b\n\x00\x01"),
        ("journal.txt", b"\x81\x8d\x8f\x90\x9d"),  # neither UTF-8 nor Windows-1252
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content, "application/pdf"))
    assert error.value.code == "file_content_mismatch"
    assert f"« {name} »" in error.value.messages[0]
    assert "ne correspond pas" in error.value.messages[0]


@pytest.mark.parametrize("name", ["programme.exe", "script.js", "page.html", "archive.zip", "sans"])
def test_other_formats_are_refused_by_name(name):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, PDF_BYTES))
    assert error.value.code == "file_type_not_allowed"
    assert f"« {name} »" in error.value.messages[0]
    assert "PDF, PNG, JPEG" in error.value.messages[0]


def test_size_limit_is_ten_mebibytes_per_file():
    assert MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert validate_upload(upload("gros.txt", b"a" * MAX_UPLOAD_SIZE)) == uploads.TXT
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("trop-gros.txt", b"a" * (MAX_UPLOAD_SIZE + 1)))
    assert error.value.code == "file_too_large"
    assert error.value.messages[0].startswith(
        "« trop-gros.txt » dépasse la taille maximale de 10 Mo par fichier"
    )


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("vide.pdf", b""))
    assert error.value.messages == ["« vide.pdf » est vide."]


def test_validation_leaves_the_file_ready_to_be_stored():
    file = upload("note.pdf", PDF_BYTES)
    validate_upload(file)
    assert file.read() == PDF_BYTES


# ---------------------------------------------------------------------------- zip bombs


def write_zip_bomb(target, *, mebibytes: int, big_member: str = "mimetype", first=()):
    """A .docx whose `big_member` inflates to `mebibytes` Mio of zeros, written to `target`
    (a path or a binary file) one Mio at a time: the test never holds the content."""
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in first:
            archive.writestr(name, "<w/>")
        with archive.open(big_member, "w", force_zip64=True) as member:
            for _chunk in range(mebibytes):
                member.write(zeros)
        archive.writestr("word/document.xml", "<w/>")


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """256 Mio of zeros in a file of about 260 Kio."""
    path = tmp_path_factory.mktemp("bombe") / "bombe.docx"
    write_zip_bomb(path, mebibytes=256)
    return path


BOMB_REFUSED = (
    "Le contenu de « rapport.docx » deviendrait démesuré une fois décompressé : "
    "le fichier est refusé."
)


def test_zip_bomb_is_refused_without_being_inflated(zip_bomb):
    with zip_bomb.open("rb") as handle:
        bomb = UploadedFile(handle, name="rapport.docx", size=zip_bomb.stat().st_size)
        assert bomb.size < 300 * 1024
        tracemalloc.start()
        try:
            with pytest.raises(ValidationError) as error:
                validate_upload(bomb)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.value.code == "file_archive_too_large"
    assert error.value.messages[0].startswith(BOMB_REFUSED)
    # The 256 Mio were never inflated: a few hundred Kio read, not hundreds of Mio.
    assert peak < 4 * 1024 * 1024


def test_zip_bomb_behind_a_recognised_document_is_refused_too():
    # The first entries tell filetype it is a .docx: the archive is checked all the same.
    content = io.BytesIO()
    write_zip_bomb(
        content,
        mebibytes=64,
        big_member="word/media/image1.png",
        first=("[Content_Types].xml", "word/styles.xml"),
    )
    assert filetype.guess(content.getvalue()).mime == uploads.DOCX
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("rapport.docx", content.getvalue()))
    assert error.value.code == "file_archive_too_large"


def test_archive_of_too_many_members_is_refused():
    content = zip_bytes(
        [("word/document.xml", "<w/>"), *((f"word/p{n}.xml", "") for n in range(20_000))]
    )
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("rapport.docx", content))
    assert error.value.code == "file_archive_too_large"


def test_archive_that_lies_about_the_size_of_a_member_is_refused():
    """A member announced smaller than its compressed data: what it inflates to is unknown."""
    noise = random.Random(0).randbytes(9000)  # does not compress: about 9 000 bytes stored
    content = bytearray(zip_bytes([("word/document.xml", "<w/>"), ("word/big.bin", noise)]))
    entry = content.rindex(b"PK\x01\x02")  # the central directory entry of word/big.bin
    assert content[entry + 46 : entry + 58] == b"word/big.bin"
    struct.pack_into("<I", content, entry + 24, 10)  # its uncompressed size: 10 bytes
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("rapport.docx", bytes(content)))
    assert error.value.code == "file_archive_too_large"


def test_a_large_real_workbook_is_accepted():
    """20 Mio of a realistic sheet (ratio about 15): far from a bomb."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>ACC-2024-{n:05d}</t></is></c>'
        f'<c r="B{n}"><v>{2104410702 + n}</v></c><c r="C{n}"><v>{n * 7 % 1000}.50</v></c></row>'
        for n in range(1, 120_000)
    )
    content = zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("xl/workbook.xml", "<x/>"),
            ("xl/worksheets/sheet1.xml", f"<sheetData>{rows}</sheetData>"),
        ]
    )
    assert validate_upload(upload("export.xlsx", content)) == uploads.XLSX
