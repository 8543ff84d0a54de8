"""The files of a backup folder: checksums, the manifest, copies that reach the disk, and the folder made complete
in one rename (a backup cut short leaves only a hidden `.NAME.incomplete-…` folder without a manifest)."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

FORMAT = "baoxue-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EVIDENCE = "evidence"
CHUNK = 1 << 20


class BackupRefused(Exception):
    """A backup cannot be made or restored; the message says what and where (nothing was changed)."""


def file_entry(path: Path, relative: str) -> dict[str, object]:
    """{path, size, sha256} of a file of the backup."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            size += len(block)
    return {"path": relative, "size": size, "sha256": digest.hexdigest()}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_file(source: Path, target: Path) -> dict[str, object] | None:
    """Copy a file (owner-only, flushed to disk) and return its entry, or None when it vanished meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        src = source.open("rb")
    except FileNotFoundError:
        return None
    with src, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())
    return file_entry(target, target.name)


def copy_tree(source: Path, target: Path, prefix: str) -> list[dict[str, object]]:
    """Copy every regular file under `source` (symbolic links are skipped) into `target`; their entries with
    paths `prefix/relative`, sorted."""
    entries = []
    if not source.is_dir():
        return entries
    for folder, dirs, files in os.walk(source):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(source).as_posix()
            entry = copy_file(path, target / relative)
            if entry is not None:
                entries.append(entry | {"path": f"{prefix}/{relative}"})
    return entries


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write manifest.json (UTF-8, indented) and flush it to disk."""
    path = folder / MANIFEST
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=1))
    _fsync(path)


@contextlib.contextmanager
def building(dest: Path) -> Iterator[Path]:
    """A hidden temporary folder beside `dest` to write the backup into; renamed to `dest` when the block ends
    well, removed when it fails. `dest` must not exist, or be an empty folder."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupRefused(f"{dest} already exists and is not empty: give each backup a new folder, "
                            f"e.g. a dated one")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.incomplete-", dir=dest.parent))
    try:
        yield tmp
        _fsync(tmp)
        if dest.exists():
            dest.rmdir()
        os.rename(tmp, dest)
        _fsync(dest.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _safe_relative(value: object) -> str:
    """A manifest path that stays inside the backup folder."""
    if not isinstance(value, str) or not value:
        raise BackupRefused(f"the manifest names a file without a proper path: {value!r}")
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise BackupRefused(f"the manifest names a file outside the backup folder: {value}")
    return value


def read_manifest(folder: Path) -> dict:
    """The manifest of a backup folder, checked for its form (not yet its files)."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupRefused(f"{folder}: no such folder")
    if not path.is_file():
        raise BackupRefused(f"{folder} holds no {MANIFEST}: it is not a Baoxue backup, or its backup did not "
                            f"finish")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupRefused(f"{path}: not a readable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path}: not a Baoxue backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(f"{path}: backup format {manifest.get('format_version')} is not known to this version "
                            f"of Baoxue (it reads format {FORMAT_VERSION}); restore it with a newer version")
    if not isinstance(manifest.get("files"), list) or not manifest["files"]:
        raise BackupRefused(f"{path}: the manifest lists no files")
    for entry in manifest["files"]:
        if not isinstance(entry, dict):
            raise BackupRefused(f"{path}: a file entry is not an object: {entry!r}")
        _safe_relative(entry.get("path"))
    return manifest


def verify_files(folder: Path, manifest: dict) -> None:
    """Every file of the manifest is there with its size and SHA-256; BackupRefused naming the first that is not."""
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if not path.is_file():
            raise BackupRefused(f"{path}: missing from the backup (the manifest lists it)")
        found = file_entry(path, entry["path"])
        if found["size"] != entry.get("size"):
            raise BackupRefused(f"{path}: {found['size']} bytes, the manifest says {entry.get('size')}: the backup "
                                f"is damaged")
        if found["sha256"] != entry.get("sha256"):
            raise BackupRefused(f"{path}: its SHA-256 checksum differs from the manifest's: the backup is damaged")


def replace_tree(folder: Path, entries: list[dict[str, object]], target: Path) -> None:
    """Make `target` hold exactly the manifest's evidence files: copied into a hidden folder beside it first, then
    swapped in by renames (the old files are removed after the swap)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
    try:
        for entry in entries:
            relative = str(entry["path"]).removeprefix(f"{EVIDENCE}/")
            copy_file(folder / str(entry["path"]), staging / relative)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.replaced-", dir=target.parent))
        os.rename(target, old / target.name)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
