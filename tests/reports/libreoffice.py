"""LibreOffice headless, to check in the tests that it opens a DOCX the platform wrote."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def docx_to_pdf(path: Path, *, timeout: int = 300) -> bytes:
    """Convert the DOCX at `path` to PDF with LibreOffice (own profile); return the PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed (scripts/bootstrap.sh test installs it)"
    with tempfile.TemporaryDirectory(prefix="sciday-test-soffice-") as tmp:
        work = Path(tmp)
        source = work / "in.docx"
        shutil.copyfile(path, source)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(work / "out"),
                str(source),
            ],
            cwd=work,
            check=True,
            timeout=timeout,
            capture_output=True,
            start_new_session=True,
        )
        return (work / "out" / "in.pdf").read_bytes()
