"""Uploads and thumbnails: a 1 GiB video through the upload form, and photo processing rate.

A fresh SQLite database (migrations' seed and the demo) and a scratch MEDIA_ROOT under
var/bench-uploads/, local storage, no task worker (the processing tasks queue in the database
and nothing runs them during the measure). Two measurements:

1. **1 GiB upload.** gunicorn (1 sync worker, as `bench/run.py` starts it) on 127.0.0.1; the demo
   unit editor signs in through the login page (CSRF token and all) and posts a 1 GiB MP4 (a
   short clip from ffmpeg's test source followed by a 1 GiB-sized `free` box, so the file is a
   valid MP4 whatever processing makes of it) to the plain multipart form
   `/workspace/resources/new/`. The client streams the body from disk in 1 MiB pieces
   (http.client, a known Content-Length); the server's upload handler spools it to a temporary
   file, then `resources.uploads.store` streams it to storage, hashing on the way. Measured: the
   wall time from the first byte sent to the redirect (throughput in MB/s), and the worker's
   resident memory (VmRSS of /proc/<pid>/status every 50 ms, and VmHWM reset just before the
   upload) against its level before — after a small warm-up upload, so that imports loaded on
   first use do not count. Baseline in the same run: the same 1 GiB written to a file on the
   same disk in 1 MiB chunks, then fsync'd. The stored file's size and SHA-256 are checked
   against the generated one. When the tus endpoint (`sciday/resources/tus.py`) exists, it is
   measured the same way: PATCH requests of 64 MiB, then the form naming the finished upload
   (`upload_id`); without that field, the transfer alone (checked with HEAD, then cancelled).
2. **Photo processing.** 40 generated 12-megapixel JPEGs with EXIF (camera, date, GPS; half of
   them rotated by their Orientation tag) are uploaded through `resource_create_from_upload`
   (not timed), then processed one after the other in one process by the real job,
   `sciday.resources.processing.process` (decode, upright, re-encode without metadata, WebP
   thumbnails 240/640/1280, the database updates). Reported: images per second, and per-image
   milliseconds p50/p95.

Results go to the section "Uploads" of docs/PERFORMANCE.md; big files are deleted afterwards.

    .venv/bin/python bench/uploads.py              # both measurements, writes the section
    .venv/bin/python bench/uploads.py --no-write   # prints the section instead

Environment: BENCH_UPLOAD_MB (size of the upload, default 1024), BENCH_PHOTOS (default 40).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "1024"))
PHOTOS = int(os.environ.get("BENCH_PHOTOS", "40"))
MIB = 1024 * 1024
SECTION = "## Uploads"
START, END = "<!-- uploads:start -->", "<!-- uploads:end -->"
TARGET_GROWTH_MB = 64
EDITOR, PASSWORD = "unit.editor@sciday.test", "Sciday-2023!"  # the demo's published login
TUS_CHUNK = 64 * MIB


# --- The files ---------------------------------------------------------------------------------


def make_video(path: Path, size: int, work: Path) -> str:
    """Write a valid MP4 of exactly `size` bytes to `path`; return its SHA-256.

    A 2-second clip from ffmpeg's test source, then one top-level `free` box filling the rest
    (players and ffmpeg skip it). The filler repeats a random 1 MiB block.
    """
    clip = work / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
         "testsrc=duration=2:size=640x360:rate=25", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    head = clip.read_bytes()
    clip.unlink()
    box = size - len(head)
    assert 8 < box < 2**32, "the filler must fit a 32-bit box"
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for data in (head, box.to_bytes(4, "big") + b"free"):
            out.write(data)
            digest.update(data)
        left = box - 8
        while left:
            data = block[: min(left, MIB)]
            out.write(data)
            digest.update(data)
            left -= len(data)
    return digest.hexdigest()


def disk_write_seconds(source: Path, target: Path) -> float:
    """Time copying `source` (in the page cache) to `target` in 1 MiB chunks, then fsync."""
    started = time.perf_counter()
    with source.open("rb") as src, target.open("wb") as out:
        while data := src.read(MIB):
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


# --- Talking to the server -----------------------------------------------------------------


class Client:
    """A cookie-keeping HTTP/1.1 client on one loopback connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _conn(self, timeout: float = 600) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def _keep(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {
            "Host": f"127.0.0.1:{self.port}",
            **({"Cookie": cookie} if cookie else {}),
            **(extra or {}),
        }

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = self._conn()
        try:
            conn.request(method, path, body=body, headers=self.headers(headers))
            response = conn.getresponse()
            data = response.read()
            self._keep(response)
            return response.status, response.headers, data
        finally:
            conn.close()

    def form_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1).decode()

    def sign_in(self) -> None:
        token = self.form_token("/accounts/login/")
        body = f"csrfmiddlewaretoken={token}&username={EDITOR}&password={PASSWORD}".encode()
        status, _headers, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in failed ({status})")

    def upload_form(self) -> dict[str, str]:
        """The upload form's fields for a video of the editor's unit."""
        status, _, page = self.request("GET", "/workspace/resources/new/")
        if status != 200:
            raise SystemExit(f"the upload form answered {status}")
        text = page.decode()
        token = found(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        select = found(r'(<select name="unit".*?</select>)', text)
        unit = found(r'<option value="(\d+)"', select)
        return {
            "csrfmiddlewaretoken": token,
            "unit": unit,
            "kind": "video",
            "title": "性能测试视频",
            "description": "bench/uploads.py",
            "tags": "bench",
            "attribution": "bench",
            "licence": "platform",
            "people_consent": "on",
            # The form names a finished resumable upload instead of carrying the file.
            **({"upload_id": ""} if 'name="upload_id"' in text else {}),
        }

    def post_form(self, path: str, fields: dict[str, str]) -> str:
        """POST the form without a file (urlencoded); return the redirect's Location."""
        status, headers, page = self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            errors = re.findall(rb'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, flags=re.S)
            raise SystemExit(f"the form answered {status}: {errors[:3]}")
        return headers.get("Location", "")

    def post_multipart(self, path: str, fields: dict[str, str], file: Path) -> str:
        """POST the form with `file` streamed from disk; return the redirect's Location."""
        boundary = f"----sciday-bench-{uuid.uuid4().hex}"
        part = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
        head = "".join(
            part.format(boundary, name, value) for name, value in fields.items()
        ).encode()
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"'
            "\r\nContent-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = file.stat().st_size
        conn = self._conn()
        try:
            conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
            headers = self.headers(
                {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(len(head) + size + len(tail)),
                }
            )
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(head)
            with file.open("rb") as src:
                while data := src.read(MIB):
                    conn.send(data)
            conn.send(tail)
            response = conn.getresponse()
            page = response.read()
            self._keep(response)
            if response.status != 302:
                errors = re.findall(rb'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, flags=re.S)
                raise SystemExit(f"the upload answered {response.status}: {errors[:3]}")
            return response.headers.get("Location", "")
        finally:
            conn.close()


def found(pattern: str, text: str) -> str:
    """Return the first group of `pattern` in `text`; stop the benchmark when it is missing."""
    match = re.search(pattern, text, flags=re.S)
    if match is None:
        raise SystemExit(f"not found in the page: {pattern}")
    return match.group(1)


def worker_pid(master: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker")


def memory_kib(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line.split(":")[0]] = int(line.split()[1])
    return found


class Sampler:
    """Samples a process's VmRSS every 50 ms in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, memory_kib(self.pid)["VmRSS"])
            self.samples += 1
            self._stop.wait(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, memory_kib(self.pid)["VmRSS"])


def measured(pid: int, action) -> dict:
    """Run `action()` while sampling `pid`'s memory; return time and memory figures (KiB)."""
    before = memory_kib(pid)
    try:  # reset the high-water mark to the current RSS (Linux ≥ 4.0, own processes)
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    with Sampler(pid) as sampler:
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    after = memory_kib(pid)
    peak = max(sampler.peak, after["VmHWM"] if reset else 0)
    return {
        "seconds": elapsed,
        "rss_before_kib": before["VmRSS"],
        "rss_peak_kib": peak,
        "rss_after_kib": after["VmRSS"],
        "growth_kib": peak - before["VmRSS"],
        "hwm_reset": reset,
        "samples": sampler.samples,
        "result": result,
    }


def check_stored(var: Path, location: str, size: int, digest: str) -> None:
    """Check the new resource's stored file against the generated one, then delete the file."""
    pk = int(found(r"/(\d+)/$", location))
    with sqlite3.connect(var / "uploads.sqlite3") as db:
        stored_size, stored_sha, name = db.execute(
            "SELECT size, sha256, file FROM resources_resource WHERE id = ?", (pk,)
        ).fetchone()
    if (stored_size, stored_sha) != (size, digest):
        raise SystemExit(f"resource {pk}: the stored file differs from the one sent")
    path = var / "media" / name
    if path.stat().st_size != size:
        raise SystemExit(f"resource {pk}: the file in storage has another size")
    path.unlink()


# --- The tus path (when sciday/resources/tus.py exists) ------------------------------------


def tus_upload(client: Client, fields: dict[str, str], file: Path) -> str:
    """Create a tus upload for `file` and send it in PATCH requests of 64 MiB; return its URL."""
    import base64

    meta = {
        "filename": file.name,
        "kind": "video",
        "unit": fields["unit"],
        "title": fields["title"],
        "attribution": fields["attribution"],
        "licence": fields["licence"],
        "people_consent": "1",
    }
    size = file.stat().st_size
    status, headers, body = client.request(
        "POST",
        "/uploads/tus/",
        b"",
        {
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(size),
            "Upload-Metadata": ",".join(
                f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items()
            ),
            "X-CSRFToken": fields["csrfmiddlewaretoken"],
        },
    )
    if status != 201:
        raise SystemExit(f"tus creation answered {status}: {body[:300]!r}")
    url = headers["Location"].split("127.0.0.1", 1)[-1].split(":", 1)[-1]
    url = url[url.index("/") :] if not url.startswith("/") else url
    offset = 0
    with file.open("rb") as src:
        while offset < size:
            length = min(TUS_CHUNK, size - offset)
            conn = client._conn()
            try:
                conn.putrequest("PATCH", url, skip_host=True, skip_accept_encoding=True)
                for name, value in client.headers(
                    {
                        "Tus-Resumable": "1.0.0",
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(length),
                        "X-CSRFToken": fields["csrfmiddlewaretoken"],
                    }
                ).items():
                    conn.putheader(name, value)
                conn.endheaders()
                left = length
                while left:
                    data = src.read(min(MIB, left))
                    conn.send(data)
                    left -= len(data)
                response = conn.getresponse()
                answer = response.read()
                if response.status != 204:
                    raise SystemExit(f"tus PATCH answered {response.status}: {answer[:300]!r}")
                offset = int(response.headers["Upload-Offset"])
            finally:
                conn.close()
    return url


def tus_then_form(client: Client, fields: dict[str, str], file: Path) -> tuple[str, str]:
    """Send `file` with tus; then, when the form takes `upload_id`, make the resource with it.

    Return the upload's URL and the form's redirect (empty when the form has no `upload_id`).
    """
    url = tus_upload(client, fields, file)
    if "upload_id" not in fields:
        return url, ""
    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    return url, client.post_form("/workspace/resources/new/", {**fields, "upload_id": upload_id})


def tus_finish(client: Client, url: str, size: int, csrf: str) -> None:
    """Check that the server holds every byte (HEAD), then cancel the upload (DELETE)."""
    status, headers, _ = client.request("HEAD", url, None, {"Tus-Resumable": "1.0.0"})
    if status != 200 or int(headers["Upload-Offset"]) != size:
        raise SystemExit(f"tus HEAD answered {status}, offset {headers.get('Upload-Offset')}")
    status, _, _ = client.request(
        "DELETE", url, None, {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf}
    )
    if status != 204:
        raise SystemExit(f"tus DELETE answered {status}")


# --- Photos (in a process of their own, Django set up on the scratch database) --------------


def make_photos(count: int) -> list[bytes]:
    """`count` 12-megapixel JPEGs (4000 × 3000) with camera EXIF and a GPS position."""
    import io
    import random

    from PIL import ExifTags, Image, ImageDraw

    rng = random.Random(20270530)
    width, height = 4000, 3000
    sky = Image.linear_gradient("L").resize((width, height))
    glow = Image.radial_gradient("L").resize((width, height))
    grain = Image.effect_noise((width // 4, height // 4), 48).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    base = Image.merge("RGB", (sky, glow, grain))
    # Sensor-like grain over everything, shapes included: JPEG sizes like a phone's (3-5 MB).
    fine = Image.merge("RGB", [Image.effect_noise((width, height), 32) for _ in range(3)])
    photos = []
    for n in range(count):
        image = base.rotate(rng.choice([0, 90, 180, 270]), expand=False) if n % 4 else base.copy()
        draw = ImageDraw.Draw(image)
        for _ in range(25):
            x, y = rng.randrange(width), rng.randrange(height)
            w, h = rng.randrange(80, 900), rng.randrange(80, 900)
            colour = tuple(rng.randrange(256) for _ in range(3))
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x, y, x + w, y + h), fill=colour)
        image = Image.blend(image, fine, 0.2)
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "Bench"
        exif[ExifTags.Base.Model] = "Phone 12MP"
        exif[ExifTags.Base.DateTime] = f"2027:05:30 10:{n % 60:02d}:00"
        exif[ExifTags.Base.Orientation] = 6 if n % 2 else 1
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, float(n))
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = (120.0, 9.0, float(n))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92, exif=exif.tobytes())
        photos.append(out.getvalue())
    return photos


def measure_photos() -> dict:
    """Upload PHOTOS photos (not timed), then time the processing job of each."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.files.base import ContentFile
    from PIL import Image

    from sciday.accounts.models import User
    from sciday.campaigns.selectors import campaign_current
    from sciday.core.errors import DomainError
    from sciday.orgs.models import Unit
    from sciday.resources import processing, services
    from sciday.resources.models import Processing, Resource

    actor = User.objects.get(email=EDITOR)
    unit = Unit.objects.get(code="cast-33")
    campaign = campaign_current()
    assert campaign is not None, "the demo has a current campaign"
    started = time.perf_counter()
    photos = make_photos(PHOTOS)
    generated = time.perf_counter() - started
    ids, refused = [], []
    for n, data in enumerate(photos):
        try:
            resource = services.resource_create_from_upload(
                actor=actor,
                unit=unit,
                campaign=campaign,
                kind="photo",
                upload=ContentFile(data, name=f"IMG_{n:04d}.jpg"),
                title=f"照片 {n}",
                attribution="bench",
                licence="platform",
                people_consent=True,
            )
        except DomainError as error:
            refused.append(f"{n}: {error}")
            continue
        ids.append(resource.pk)
    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    timings = []
    for pk in ids:
        started = time.perf_counter()
        processing.process(pk)
        timings.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu
    done = Resource.objects.filter(pk__in=ids, processing=Processing.DONE)
    sample = done.first()
    assert sample is not None and sample.file.name, "no photo was processed"
    assert done.count() == len(ids), list(
        Resource.objects.filter(pk__in=ids).values_list("processing", "processing_error")[:3]
    )
    from django.core.files.storage import default_storage

    with default_storage.open(sample.file.name) as stored, Image.open(stored) as image:
        exif_left = dict(image.getexif())
    timings_sorted = sorted(timings)
    return {
        "photos": len(ids),
        "refused": refused,
        "generate_s": round(generated, 1),
        "mean_bytes": round(statistics.mean(len(p) for p in photos)),
        "total_s": round(sum(timings) / 1000, 2),
        "per_s": round(len(ids) / (sum(timings) / 1000), 2),
        "p50_ms": round(statistics.median(timings)),
        "p95_ms": round(timings_sorted[max(0, round(0.95 * len(timings)) - 1)]),
        "max_ms": round(timings_sorted[-1]),
        "cpu_s": round(cpu, 1),
        "thumbnails": sorted(sample.thumbnails, key=int),
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "exif_left": sorted(exif_left),
    }


# --- Driving ---------------------------------------------------------------------------------


def _env(var: Path) -> dict:
    return {
        **os.environ,
        "SCIDAY_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "DATABASE_URL": f"sqlite:///{var / 'uploads.sqlite3'}",
        "REDIS_URL": "",
        "S3_BUCKET": "",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


def measure_uploads(var: Path, env: dict) -> dict:
    from bench.run import free_port, wait_until_up

    size = UPLOAD_MB * MIB
    video = var / "upload.mp4"
    print(f"Generating a {UPLOAD_MB} MiB MP4 in {var.relative_to(ROOT)}…", flush=True)
    digest = make_video(video, size, var)
    small = var / "warmup.mp4"
    make_video(small, 256 * 1024, var)
    figures: dict = {"bytes": size, "load": [round(os.getloadavg()[0], 1)]}
    try:
        disk = [disk_write_seconds(video, var / "disk.bin") for _ in range(2)]
        figures["disk_s"] = min(disk)
        print(f"  disk: 1 MiB writes + fsync {size / MIB / min(disk):,.0f} MB/s", flush=True)
        port = free_port()
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "config.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "600",
             "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        try:
            wait_until_up(f"http://127.0.0.1:{port}")
            pid = worker_pid(server.pid)
            client = Client(port)
            client.sign_in()
            fields = client.upload_form()
            client.post_multipart("/workspace/resources/new/", fields, small)  # warm-up
            fields = client.upload_form()
            run = measured(
                pid, lambda: client.post_multipart("/workspace/resources/new/", fields, video)
            )
            check_stored(var, run.pop("result"), size, digest)
            figures["multipart"] = run
            print(
                f"  multipart form: {size / MIB / run['seconds']:,.0f} MB/s, worker RSS"
                f" +{run['growth_kib'] / 1024:,.1f} MB",
                flush=True,
            )
            if (ROOT / "sciday" / "resources" / "tus.py").exists():
                fields = client.upload_form()
                tus = measured(pid, lambda: tus_then_form(client, fields, video))
                url, location = tus.pop("result")
                if location:
                    check_stored(var, location, size, digest)
                else:
                    tus_finish(client, url, size, fields["csrfmiddlewaretoken"])
                tus["with_form"] = bool(location)
                figures["tus"] = tus
                print(
                    f"  tus: {size / MIB / tus['seconds']:,.0f} MB/s, worker RSS"
                    f" +{tus['growth_kib'] / 1024:,.1f} MB",
                    flush=True,
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    finally:
        video.unlink(missing_ok=True)
        small.unlink(missing_ok=True)
    figures["load"].append(round(os.getloadavg()[0], 1))
    return figures


def section(uploads: dict, photos: dict) -> str:
    from bench.run import machine, versions

    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    size = uploads["bytes"]
    disk_rate = size / MIB / uploads["disk_s"]
    rows = [f"| Disk: 1 MiB writes, then fsync (baseline) | {disk_rate:,.0f} | 1.00 | — |"]
    paths = [
        ("multipart", "Multipart form `/workspace/resources/new/`"),
        (
            "tus",
            f"tus `/uploads/tus/` (PATCHes of {TUS_CHUNK // MIB} MiB), then the form"
            if uploads.get("tus", {}).get("with_form")
            else f"tus `/uploads/tus/`, transfer only (PATCHes of {TUS_CHUNK // MIB} MiB)",
        ),
    ]
    for key, label in paths:
        if key not in uploads:
            continue
        run = uploads[key]
        rate = size / MIB / run["seconds"]
        rows.append(
            f"| {label} | {rate:,.0f} | {rate / disk_rate:.2f} | "
            f"**{run['growth_kib'] / 1024:,.1f}** (from {run['rss_before_kib'] / 1024:,.0f}) |"
        )
    tus_note = (
        (
            "The resumable path is timed from the creation request to the form's redirect: the"
            " PATCHes append to a partial file, then the form names the finished upload"
            " (`upload_id`) and the resource is made from it with the same checks and streamed"
            " storage (the stored file checked the same way)."
            if uploads["tus"].get("with_form")
            else "The resumable path is timed from the creation request to the last PATCH's"
            " answer: the bytes in the partial file (checked with HEAD, then the upload is"
            " cancelled); making the resource from it (the same checks and streamed storage"
            " as the form) is not included."
        )
        if "tus" in uploads
        else "The tus endpoint (`/uploads/tus/`) did not exist in this run: not measured."
    )
    tus_note = textwrap.fill(tus_note, width=96)
    growths = [uploads[k]["growth_kib"] / 1024 for k in ("multipart", "tus") if k in uploads]
    verdict = "met" if max(growths) < TARGET_GROWTH_MB else "**missed**"
    refused = (
        f" {len(photos['refused'])} generated photo(s) were refused at upload and left out:"
        f" {'; '.join(photos['refused'])}."
        if photos["refused"]
        else ""
    )
    p = photos
    photo_row = (
        f"| {p['photos']} | {p['total_s']:.1f} | **{p['per_s']:.2f}** | {p['p50_ms']:,} |"
        f" {p['p95_ms']:,} | {p['max_ms']:,} | {p['cpu_s']:.1f} |"
    )
    exif_left = (
        "keeps no EXIF tag"
        if not p["exif_left"]
        else "keeps these EXIF tags: " + ", ".join(map(str, p["exif_left"]))
    )
    load = textwrap.fill(
        f"- Load average (1 min) before → after: uploads {uploads['load'][0]:.1f} →"
        f" {uploads['load'][1]:.1f}, photos {p['load'][0]:.1f} → {p['load'][1]:.1f} (the two"
        " cores are shared with the client and with anything else running)",
        width=96,
        subsequent_indent="  ",
    )
    photo_intro = textwrap.fill(
        f"{p['photos']} generated 12-megapixel JPEGs (4000 × 3000, {p['mean_bytes'] / MIB:.1f} MB"
        " on average, EXIF with camera, date and GPS position, half rotated by their Orientation"
        " tag) are uploaded through `resource_create_from_upload` (not timed), then processed one"
        " after the other in one process by the real job, `sciday.resources.processing.process`:"
        " decode under the pixel limit, turn upright, re-encode as JPEG (quality 90) without"
        f" EXIF/XMP, WebP thumbnails {', '.join(p['thumbnails'])} px wide, the database"
        f" updates.{refused}",
        width=96,
    )
    return f"""{SECTION}

Figures from `bench/uploads.py` (also run by `make bench`), on a fresh SQLite database with the
demo, local storage in a scratch MEDIA_ROOT, no task worker (processing jobs wait in the queue).

- Date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai)
- Machine: {machine()}
- Software: {versions()}, gunicorn (1 sync worker), SQLite
{load}

### A {size // MIB:,} MiB video

The demo unit editor signs in through the login page and uploads a {size // MIB:,} MiB MP4 through
the plain multipart form; the client streams the body from disk on loopback. Timed from the
first byte sent to the redirect to the new resource: Django's upload handler spools the body to
a temporary file, the checks read its head, `resources.uploads.store` streams it into storage
with its SHA-256 (checked afterwards against the generated file's). Memory: the gunicorn
worker's resident set, sampled every 50 ms (and its high-water mark, reset just before), over
its level after a small warm-up upload. Baseline: the same bytes written to a file on the same
disk in 1 MiB chunks, then fsync'd (best of two). Target: the worker grows by less than
{TARGET_GROWTH_MB} MB: {verdict}.

{tus_note}

| Path | MB/s | Ratio to disk | Worker RSS growth, MB |
|---|---:|---:|---:|
{chr(10).join(rows)}

The server writes the bytes twice (the temporary file, then storage) and hashes them once, and
does not fsync; the baseline writes them once and waits for the disk: the ratio says what the
web path costs against the disk, not which one is durable first. On S3 the second write is a
multipart upload to the object store instead.

### Photo processing

{photo_intro}

| Photos | Total (s) | Photos/s | p50 (ms) | p95 (ms) | Max (ms) | CPU (s) |
|---:|---:|---:|---:|---:|---:|---:|
{photo_row}

One worker process handles one photo at a time; more workers scale it with the cores. The
processed file {exif_left}.

Variables: `BENCH_UPLOAD_MB`, `BENCH_PHOTOS`; `--no-write` prints the section instead.
"""


def write_section(text: str) -> None:
    """Put `text` in docs/PERFORMANCE.md in place of the old section (the others are kept).

    Between `<!-- uploads:start -->` and `<!-- uploads:end -->`: the markers `bench/run.py`
    keeps when it rewrites the file.
    """
    path = ROOT / "docs" / "PERFORMANCE.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = f"\n{START}\n{text.rstrip()}\n{END}\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head.rstrip("\n") + "\n" + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        current = current.rstrip("\n") + "\n" + block
    path.write_text(current, encoding="utf-8")


def main() -> None:
    started = time.monotonic()
    var = ROOT / "var" / "bench-uploads"
    if var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True)
    env = _env(var)
    print("Uploads: preparing a fresh database with the demo…", flush=True)
    for args in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--quiet"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    uploads = measure_uploads(var, env)
    print(f"Photo processing, {PHOTOS} photos of 12 megapixels…", flush=True)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--photos"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    photos = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  {photos['per_s']:.2f} photos/s, p50 {photos['p50_ms']} ms, p95 {photos['p95_ms']} ms",
        flush=True,
    )
    shutil.rmtree(var / "media", ignore_errors=True)
    (var / "result.json").write_text(
        json.dumps({"uploads": uploads, "photos": photos}, indent=1), encoding="utf-8"
    )
    text = section(uploads, photos)
    print(f"Uploads part: {time.monotonic() - started:.0f} s", flush=True)
    if "--no-write" in sys.argv:
        print(text)
        return
    write_section(text)
    print("Written to docs/PERFORMANCE.md (section Uploads)")


if __name__ == "__main__":
    if "--photos" in sys.argv:
        print(json.dumps(measure_photos()))
    else:
        main()
