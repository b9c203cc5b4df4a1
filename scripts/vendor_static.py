#!/usr/bin/env python3
"""Re-create the vendored third-party static files from pinned registry packages.

Run from anywhere:  python scripts/vendor_static.py

Writes static/vendor/** (JS, wasm, licences, VENDORED.md) and static/fonts/**
(TTF for PDFs, woff2 + CSS for browsers, licences, FONTS.md).

Every file comes from an npm package fetched with `npm pack NAME@VERSION` into a
temporary directory; the tarball is checked against the pinned integrity hash
before anything is extracted. Only the Python 3.11 standard library and the
`npm` command are needed. The script is idempotent: files whose content is
already right are left untouched, and stale files in the directories it owns
are removed.

To upgrade a package: change its version below, set its integrity to the value
that `npm view NAME@VERSION dist.integrity` prints, re-run, review the diff.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# --------------------------------------------------------------------------
# Pinned packages: name -> (version, tarball integrity as npm reports it)
# --------------------------------------------------------------------------
NPM_PINS: dict[str, tuple[str, str]] = {
    "htmx.org": (
        "4.0.1",
        "sha512-oF7JgXhDW9UXCy/k1ZYFUQgzu/rm19ORWPSPNL91vPluB2PB9+MV55tyQdH/w7o2EAbTYUG5SDW1R60mdkdqGg==",
    ),
    "barcode-detector": (
        "3.2.2",
        "sha512-/4QOrrNrCRmDSBWiiP4aC72dnkuXUEdcFRidHgbPRXUpy82XcCMvJssI6fEs6JT42LS7DvBVZO70qasJbYKyrA==",
    ),
    # Must be exactly the version barcode-detector's package.json depends on
    # (checked below).
    "zxing-wasm": (
        "3.1.3",
        "sha512-3lC9BJk4fR5ZJxcGjb0hVnDFOW7KpLXHIebiBmVd4FDRQZVeObztoTKxRUPxlWwSgxrMRONK0u50hBD1aTYEKg==",
    ),
    "jsqr": (
        "1.4.0",
        "sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A==",
    ),
    "axe-core": (
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    ),
    "@expo-google-fonts/noto-sans-bengali": (
        "0.4.4",
        "sha512-Ya58tLTEdP4P5EF3ZXTM829/g57mbfW8OrD16MMZr2sC3nIKItl/3J9tZlk1nrtqfFGzIgxb+zt/hLjAaTAQgQ==",
    ),
    "@expo-google-fonts/noto-serif-bengali": (
        "0.4.4",
        "sha512-NfoAaM38zg3ziaKJDfOEAg92WIUM8qZYsauSt4O9ySgzmJclPMuIb2BCqOLHrbiegbI8tDPw7lfsQUc/L3ZYgA==",
    ),
    "@expo-google-fonts/noto-sans": (
        "0.4.2",
        "sha512-zYD8G2ijWLxqmquoQgghNh/x9p0yxWwArD0oxO1oXY1qx5vOd4t0Kbhnu/Cx8RTy08OgA8RtxuULZFaXwVPnPw==",
    ),
    "@expo-google-fonts/noto-serif": (
        "0.4.2",
        "sha512-1xvAYegrtpCuPPunSyhvhV9FHWEzCWjikEoUJkvHt+WWvt+h7lKr+vkXNpqwFQM4W3KjXOccfLd5s04xLMjjDQ==",
    ),
    "@fontsource/noto-sans-bengali": (
        "5.3.0",
        "sha512-EFBMU0UvzyFSc1ERK369zfqEu6DMRuWmCQ2+2ahhQTQAIDPEyN1UYlQdQeFkheu2DWG2hfdwrhiLlGFl2sSr/A==",
    ),
}

# SPDX licence of what we take from each package (checked against package.json).
LICENSES: dict[str, str] = {
    "htmx.org": "0BSD",  # package.json spells it "BSD-0-Clause"
    "barcode-detector": "MIT",
    "zxing-wasm": "MIT",
    "jsqr": "Apache-2.0",
    "axe-core": "MPL-2.0",
    # package.json says "MIT AND OFL-1.1": MIT for Expo's JS loader (not
    # vendored), OFL-1.1 for the font files (the only thing we take).
    "@expo-google-fonts/noto-sans-bengali": "OFL-1.1",
    "@expo-google-fonts/noto-serif-bengali": "OFL-1.1",
    "@expo-google-fonts/noto-sans": "OFL-1.1",
    "@expo-google-fonts/noto-serif": "OFL-1.1",
    "@fontsource/noto-sans-bengali": "OFL-1.1",
}

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
FONTS = ROOT / "static" / "fonts"

# (package, path inside the tarball's package/ dir, destination relative to ROOT)
# A source path containing "*" is a glob; its destination is a directory.
FILES: list[tuple[str, str, str]] = [
    # htmx
    ("htmx.org", "dist/htmx.min.js", "static/vendor/htmx/htmx.min.js"),
    ("htmx.org", "dist/skills/*.md", "static/vendor/htmx/skills"),
    ("htmx.org", "LICENSE", "static/vendor/htmx/LICENSE"),
    # barcode-detector ES build: entry points + the self-contained chunk they import
    ("barcode-detector", "dist/es/polyfill.js", "static/vendor/barcode-detector/polyfill.js"),
    ("barcode-detector", "dist/es/ponyfill.js", "static/vendor/barcode-detector/ponyfill.js"),
    ("barcode-detector", "dist/es/index.js", "static/vendor/barcode-detector/index.js"),
    ("barcode-detector", "dist/es/zxing-exported.js", "static/vendor/barcode-detector/zxing-exported.js"),
    ("barcode-detector", "LICENSE", "static/vendor/barcode-detector/LICENSE"),
    ("zxing-wasm", "dist/reader/zxing_reader.wasm", "static/vendor/barcode-detector/zxing_reader.wasm"),
    ("zxing-wasm", "LICENSE", "static/vendor/barcode-detector/LICENSE.zxing-wasm"),
    # jsQR
    ("jsqr", "dist/jsQR.js", "static/vendor/jsqr/jsQR.js"),
    ("jsqr", "LICENSE", "static/vendor/jsqr/LICENSE"),
    # axe-core
    ("axe-core", "axe.min.js", "static/vendor/axe-core/axe.min.js"),
    ("axe-core", "LICENSE", "static/vendor/axe-core/LICENSE"),
    ("axe-core", "LICENSE-3RD-PARTY.txt", "static/vendor/axe-core/LICENSE-3RD-PARTY.txt"),
    # PDF fonts (static instances, full OpenType layout tables)
    ("@expo-google-fonts/noto-sans-bengali", "400Regular/NotoSansBengali_400Regular.ttf", "static/fonts/NotoSansBengali-Regular.ttf"),
    ("@expo-google-fonts/noto-sans-bengali", "700Bold/NotoSansBengali_700Bold.ttf", "static/fonts/NotoSansBengali-Bold.ttf"),
    ("@expo-google-fonts/noto-serif-bengali", "400Regular/NotoSerifBengali_400Regular.ttf", "static/fonts/NotoSerifBengali-Regular.ttf"),
    ("@expo-google-fonts/noto-serif-bengali", "700Bold/NotoSerifBengali_700Bold.ttf", "static/fonts/NotoSerifBengali-Bold.ttf"),
    ("@expo-google-fonts/noto-sans", "400Regular/NotoSans_400Regular.ttf", "static/fonts/NotoSans-Regular.ttf"),
    ("@expo-google-fonts/noto-sans", "700Bold/NotoSans_700Bold.ttf", "static/fonts/NotoSans-Bold.ttf"),
    ("@expo-google-fonts/noto-serif", "400Regular/NotoSerif_400Regular.ttf", "static/fonts/NotoSerif-Regular.ttf"),
    ("@expo-google-fonts/noto-serif", "700Bold/NotoSerif_700Bold.ttf", "static/fonts/NotoSerif-Bold.ttf"),
    ("@expo-google-fonts/noto-sans-bengali", "LICENSE_FONT", "static/fonts/licenses/noto-sans-bengali/LICENSE_FONT"),
    ("@expo-google-fonts/noto-sans-bengali", "LICENSE", "static/fonts/licenses/noto-sans-bengali/LICENSE"),
    ("@expo-google-fonts/noto-serif-bengali", "LICENSE_FONT", "static/fonts/licenses/noto-serif-bengali/LICENSE_FONT"),
    ("@expo-google-fonts/noto-serif-bengali", "LICENSE", "static/fonts/licenses/noto-serif-bengali/LICENSE"),
    ("@expo-google-fonts/noto-sans", "LICENSE_FONT", "static/fonts/licenses/noto-sans/LICENSE_FONT"),
    ("@expo-google-fonts/noto-sans", "LICENSE", "static/fonts/licenses/noto-sans/LICENSE"),
    ("@expo-google-fonts/noto-serif", "LICENSE_FONT", "static/fonts/licenses/noto-serif/LICENSE_FONT"),
    ("@expo-google-fonts/noto-serif", "LICENSE", "static/fonts/licenses/noto-serif/LICENSE"),
    # Browser web font: bengali subset only, 400 + 700
    ("@fontsource/noto-sans-bengali", "files/noto-sans-bengali-bengali-400-normal.woff2", "static/fonts/web/noto-sans-bengali-bengali-400-normal.woff2"),
    ("@fontsource/noto-sans-bengali", "files/noto-sans-bengali-bengali-700-normal.woff2", "static/fonts/web/noto-sans-bengali-bengali-700-normal.woff2"),
    ("@fontsource/noto-sans-bengali", "LICENSE", "static/fonts/web/OFL.txt"),
]

# Directories wholly owned by this script: files in them that the script did
# not write are deleted. (static/fonts itself is not listed: unknown files
# there are only reported.)
OWNED_DIRS = [
    "static/vendor/htmx",
    "static/vendor/barcode-detector",
    "static/vendor/jsqr",
    "static/vendor/axe-core",
    "static/fonts/web",
    "static/fonts/licenses",
]

# Characters of fontsource's "bengali" subset range that also turn up on
# non-Bengali pages; dropped from unicode-range so such pages never fetch
# the font (they then render from the system font, which is fine).
WEBFONT_RANGE_DROP = {"U+20B9", "U+25CC"}  # Indian rupee sign, dotted circle


def log(msg: str) -> None:
    print(msg, flush=True)


def fail(msg: str) -> None:
    sys.exit(f"vendor_static: ERROR: {msg}")


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------
def npm_pack(name: str, version: str, integrity: str, tmp: Path) -> Path:
    """npm pack NAME@VERSION into tmp, verify integrity, extract; return package dir."""
    dest = tmp / re.sub(r"[^A-Za-z0-9._-]", "_", name)
    dest.mkdir()
    cmd = ["npm", "pack", f"{name}@{version}", "--pack-destination", str(dest),
           "--ignore-scripts", "--silent"]
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    except FileNotFoundError:
        fail("`npm` is not on PATH")
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(cmd)} failed with exit code {e.returncode}")
    tarballs = list(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        fail(f"expected one tarball from npm pack {name}@{version}, got {tarballs}")
    tgz = tarballs[0]
    algo, _, want = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
    if got != want:
        fail(f"{name}@{version}: tarball integrity {algo}-{got} != pinned {integrity}")
    out = dest / "x"
    with tarfile.open(tgz) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(out, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            for m in tf.getmembers():
                if m.name.startswith("/") or ".." in Path(m.name).parts:
                    fail(f"unsafe path in {tgz.name}: {m.name}")
            tf.extractall(out)
    pkg = out / "package"
    meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != name or meta.get("version") != version:
        fail(f"{tgz.name} holds {meta.get('name')}@{meta.get('version')}, not {name}@{version}")
    return pkg


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
def sfnt_tables(data: bytes) -> set[str]:
    if data[:4] not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
        raise ValueError("not a TrueType/OpenType font")
    (num,) = struct.unpack(">H", data[4:6])
    return {data[12 + 16 * i: 16 + 16 * i].decode("latin-1") for i in range(num)}


def check_packages(pkgs: dict[str, Path]) -> None:
    # license field as declared upstream
    for name, pkg in pkgs.items():
        declared = json.loads((pkg / "package.json").read_text(encoding="utf-8")).get("license", "")
        ours = LICENSES[name]
        ok = ours in declared or (ours == "0BSD" and declared == "BSD-0-Clause")
        if not ok:
            fail(f"{name}: package.json license {declared!r} does not match {ours!r}")

    # zxing-wasm must be the exact version barcode-detector was built against
    bd_meta = json.loads((pkgs["barcode-detector"] / "package.json").read_text(encoding="utf-8"))
    dep = bd_meta["dependencies"]["zxing-wasm"]
    if dep != NPM_PINS["zxing-wasm"][0]:
        fail(f"barcode-detector depends on zxing-wasm {dep!r}, pinned {NPM_PINS['zxing-wasm'][0]!r}")

    # barcode-detector ES build must import nothing but its own relative files
    es = pkgs["barcode-detector"] / "dist" / "es"
    for f in ("index.js", "polyfill.js", "ponyfill.js", "zxing-exported.js"):
        text = (es / f).read_text(encoding="utf-8")
        static = re.findall(r"""^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?["']([^"']+)["']""", text, re.M)
        dynamic = re.findall(r"""\bimport\s*\(\s*["'`]([^"'`]+)["'`]""", text)
        if f != "zxing-exported.js" and not static:
            fail(f"barcode-detector dist/es/{f}: expected an import of ./zxing-exported.js")
        for spec in static + dynamic:
            if not spec.startswith("./"):
                fail(f"barcode-detector dist/es/{f} imports {spec!r}: not self-contained")
        if f == "zxing-exported.js":
            m = re.search(r'"([0-9a-f]{64})"', text)
            wasm = pkgs["zxing-wasm"] / "dist" / "reader" / "zxing_reader.wasm"
            if not m or hashlib.sha256(wasm.read_bytes()).hexdigest() != m.group(1):
                fail("zxing_reader.wasm sha256 differs from ZXING_WASM_SHA256 in barcode-detector")

    # PDF fonts: static TTFs with layout tables
    for name, src, dst in FILES:
        if dst.endswith(".ttf"):
            tables = sfnt_tables((pkgs[name] / src).read_bytes())
            missing = {"GSUB", "GPOS", "GDEF", "cmap", "glyf"} - tables
            if missing:
                fail(f"{src} from {name} lacks tables {sorted(missing)}")
            if "fvar" in tables:
                fail(f"{src} from {name} is a variable font; a static instance is wanted")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
written: set[Path] = set()
changed: list[Path] = []


def put(dst: Path, data: bytes) -> None:
    dst = dst.resolve()
    written.add(dst)
    if dst.is_file() and dst.read_bytes() == data:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dst)
    changed.append(dst)


def put_text(dst: Path, text: str) -> None:
    put(dst, text.encode("utf-8"))


# (destination, package) for every file copied from a package, in order
copied: list[tuple[Path, str]] = []


def copy_files(pkgs: dict[str, Path]) -> None:
    for name, src, dst in FILES:
        if "*" in src:
            matches = sorted(pkgs[name].glob(src))
            if not matches:
                fail(f"{name}: nothing matches {src}")
            for m in matches:
                d = ROOT / dst / m.name
                put(d, m.read_bytes())
                copied.append((d, name))
        else:
            p = pkgs[name] / src
            if not p.is_file():
                fail(f"{name}@{NPM_PINS[name][0]} has no {src}")
            d = ROOT / dst
            put(d, p.read_bytes())
            copied.append((d, name))


def make_ofl(pkgs: dict[str, Path]) -> None:
    """static/fonts/OFL.txt: one OFL text carrying every PDF font's copyright line."""
    copyrights: list[str] = []
    body = None
    for name in ("@expo-google-fonts/noto-sans-bengali", "@expo-google-fonts/noto-serif-bengali",
                 "@expo-google-fonts/noto-sans", "@expo-google-fonts/noto-serif"):
        text = (pkgs[name] / "LICENSE_FONT").read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        if not first.startswith("Copyright") or "Open Font License" not in rest:
            fail(f"{name}/LICENSE_FONT is not the expected OFL text")
        if first not in copyrights:
            copyrights.append(first)
        if body is None:
            body = rest
        elif rest != body:
            fail(f"{name}/LICENSE_FONT differs from the other OFL texts beyond the copyright line")
    assert body is not None
    put_text(FONTS / "OFL.txt", "\n".join(copyrights) + "\n" + body)


def make_webfont_css(pkgs: dict[str, Path]) -> None:
    fs = pkgs["@fontsource/noto-sans-bengali"]
    ranges = json.loads((fs / "unicode.json").read_text(encoding="utf-8"))["bengali"].split(",")
    ranges = [r.strip() for r in ranges if r.strip() not in WEBFONT_RANGE_DROP]
    if not any(r.startswith("U+0980") for r in ranges) or any(r.startswith("U+00") for r in ranges):
        fail(f"unexpected bengali unicode-range: {ranges}")
    family = json.loads((fs / "metadata.json").read_text(encoding="utf-8"))["family"]
    version = NPM_PINS["@fontsource/noto-sans-bengali"][0]
    out = [
        f"/* {family}, bengali subset, from @fontsource/noto-sans-bengali@{version} (OFL-1.1, see OFL.txt).",
        "   Generated by scripts/vendor_static.py; do not edit.",
        "   unicode-range covers Bengali only, so pages without Bengali text never download these files;",
        "   local() first, so phones that have Noto Sans Bengali (Android does) never download them at all.",
        "   ?v= is the file's sha256 prefix: the portal caches such URLs for a year (a changed font gets a new one). */",
    ]
    for weight in (400, 700):
        woff2 = FONTS / "web" / f"noto-sans-bengali-bengali-{weight}-normal.woff2"
        fingerprint = hashlib.sha256(woff2.read_bytes()).hexdigest()[:10]
        out += [
            "@font-face {",
            f"  font-family: '{family}';",
            "  font-style: normal;",
            "  font-display: swap;",
            f"  font-weight: {weight};",
            f"  src: local('{family}{' Bold' if weight == 700 else ''}'), "
            f"local('NotoSansBengali-{'Bold' if weight == 700 else 'Regular'}'), "
            f"url(./noto-sans-bengali-bengali-{weight}-normal.woff2?v={fingerprint}) format('woff2');",
            f"  unicode-range: {','.join(ranges)};",
            "}",
        ]
    put_text(FONTS / "web" / "noto-sans-bengali.css", "\n".join(out) + "\n")


def remove_stale() -> None:
    for d in OWNED_DIRS:
        for p in sorted((ROOT / d).rglob("*"), reverse=True):
            if p.is_file() and p.resolve() not in written:
                p.unlink()
                log(f"removed stale {p.relative_to(ROOT)}")
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    managed = {FONTS / "FONTS.md"}
    for p in sorted(FONTS.iterdir()):
        if p.is_file() and p.resolve() not in written and p not in managed:
            log(f"note: {p.relative_to(ROOT)} is not managed by this script")


# --------------------------------------------------------------------------
# Manifests
# --------------------------------------------------------------------------
def pkg_ref(name: str) -> str:
    return f"`{name}@{NPM_PINS[name][0]}`"


def file_table(paths: list[tuple[Path, str, str]], base: Path) -> list[str]:
    rows = ["| file | bytes | sha256 | source | licence |",
            "| --- | ---: | --- | --- | --- |"]
    for p, src, lic in paths:
        data = p.read_bytes()
        rows.append(f"| `{p.relative_to(base).as_posix()}` | {len(data)} | `{hashlib.sha256(data).hexdigest()}` "
                    f"| {src} | {lic} |")
    return rows


WASM_EXAMPLE = """\
```js
import { prepareZXingModule } from "/static/vendor/barcode-detector/polyfill.js";
prepareZXingModule({ overrides: { locateFile: (path, prefix) =>
  path.endsWith(".wasm") ? "/static/vendor/barcode-detector/zxing_reader.wasm" : prefix + path } });
const detector = new BarcodeDetector({ formats: ["qr_code"] }); // native one if the browser has it
const codes = await detector.detect(videoOrCanvasOrImageBitmap); // [{ rawValue, format, ... }]
```"""


def write_vendor_manifest() -> None:
    rows = []
    for p, name in copied:
        if VENDOR in p.parents:
            rows.append((p, pkg_ref(name), LICENSES[name]))
    lines = [
        "# Vendored third-party static files",
        "",
        "Generated by `scripts/vendor_static.py`; do not edit by hand. Every file below is copied",
        "unchanged out of the npm package named beside it, fetched with `npm pack NAME@VERSION` and",
        "checked against the tarball integrity hash pinned at the top of the script. To refresh or",
        "upgrade, edit the pins there and run `python scripts/vendor_static.py`.",
        "Each directory also holds the package's own licence file(s).",
        "Fonts are described in `static/fonts/FONTS.md`.",
        "",
        "| directory | package | licence | used for |",
        "| --- | --- | --- | --- |",
        f"| `htmx/` | {pkg_ref('htmx.org')} | 0BSD (`htmx/LICENSE`) | htmx (classic script, defines `window.htmx`); `skills/*.md` are htmx's developer guidance docs, not served to users |",
        f"| `barcode-detector/` | {pkg_ref('barcode-detector')} | MIT (`barcode-detector/LICENSE`) | BarcodeDetector polyfill, ES module build (`dist/es/`) |",
        f"| `barcode-detector/zxing_reader.wasm` | {pkg_ref('zxing-wasm')} | MIT (`barcode-detector/LICENSE.zxing-wasm`) | ZXing C++ reader compiled to wasm, the exact version barcode-detector depends on |",
        f"| `jsqr/` | {pkg_ref('jsqr')} | Apache-2.0 (`jsqr/LICENSE`) | small pure-JS QR decoder (UMD; as a plain script defines `window.jsQR`), fallback when wasm is unavailable |",
        f"| `axe-core/` | {pkg_ref('axe-core')} | MPL-2.0 (`axe-core/LICENSE`, `LICENSE-3RD-PARTY.txt`) | accessibility checks, browser tests only |",
        "",
        "## Files",
        "",
        *file_table(rows, VENDOR),
        "",
        "## barcode-detector: loading the wasm locally",
        "",
        "`polyfill.js`, `ponyfill.js` and `index.js` are tiny ES modules that import `./zxing-exported.js`,",
        "which contains everything else (the zxing-wasm JS glue is bundled in); there are no bare imports, so",
        "they load from `/static/...` with `<script type=\"module\">` or `import()`, no bundler.",
        "`polyfill.js` sets `globalThis.BarcodeDetector` only if the browser has none; `ponyfill.js` exports",
        "`BarcodeDetector` without touching globals (use it to always get the ZXing implementation).",
        "All three also export `prepareZXingModule`, `purgeZXingModule`, `setZXingModuleOverrides` (deprecated),",
        "`ZXING_WASM_VERSION`, `ZXING_WASM_SHA256`.",
        "",
        "By default the wasm is fetched from the jsDelivr CDN. To serve it from here, call",
        "`prepareZXingModule({ overrides: { locateFile } })` **before the first `new BarcodeDetector()`**",
        "(the constructor starts loading the module with whatever overrides are set at that moment):",
        "",
        WASM_EXAMPLE,
        "",
        "Add `fireImmediately: true` next to `overrides` to start downloading and compiling the wasm",
        "(about 1 MB) at once instead of on first use. The wasm is fetched with `credentials: \"same-origin\"`;",
        "`WebAssembly.instantiateStreaming` needs it served as `application/wasm` (otherwise the glue falls",
        "back to a slower ArrayBuffer compile). Under a Content-Security-Policy, `script-src` must allow",
        "`'wasm-unsafe-eval'`.",
        "",
    ]
    put_text(VENDOR / "VENDORED.md", "\n".join(lines))


def write_fonts_manifest() -> None:
    rows = [(p, pkg_ref(name), LICENSES[name]) for p, name in copied if FONTS in p.parents]
    rows.insert(0, (FONTS / "OFL.txt", "generated: the four `@expo-google-fonts/*` `LICENSE_FONT` texts merged "
                    "(identical OFL-1.1 body, each distinct copyright line kept)", "OFL-1.1"))
    rows.append((FONTS / "web" / "noto-sans-bengali.css",
                 f"generated from {pkg_ref('@fontsource/noto-sans-bengali')} `unicode.json`, `metadata.json`", "OFL-1.1"))
    lines = [
        "# Fonts",
        "",
        "Generated by `scripts/vendor_static.py`; do not edit by hand. All fonts are from the Noto project",
        "and licensed under the SIL Open Font License 1.1 (`OFL.txt`, `web/OFL.txt`). They are copied",
        "unchanged out of the npm packages named below (fetched with `npm pack NAME@VERSION`, tarball",
        "integrity pinned in the script).",
        "",
        "## PDF fonts (`*.ttf`, for reportlab)",
        "",
        "Static (non-variable) TrueType instances with full OpenType layout tables (GSUB/GPOS/GDEF), as",
        "Google Fonts publishes them, taken from the `@expo-google-fonts/*` packages. Those packages are",
        "licensed \"MIT AND OFL-1.1\": MIT covers Expo's JS loader code (not vendored; its LICENSE is kept",
        "in `licenses/*/LICENSE`), OFL-1.1 covers the fonts (`licenses/*/LICENSE_FONT`).",
        "",
        f"- `NotoSansBengali-{{Regular,Bold}}.ttf`: {pkg_ref('@expo-google-fonts/noto-sans-bengali')} (`400Regular/`, `700Bold/`)",
        f"- `NotoSerifBengali-{{Regular,Bold}}.ttf`: {pkg_ref('@expo-google-fonts/noto-serif-bengali')}",
        f"- `NotoSans-{{Regular,Bold}}.ttf`: {pkg_ref('@expo-google-fonts/noto-sans')} (Latin, Greek, Cyrillic companion)",
        f"- `NotoSerif-{{Regular,Bold}}.ttf`: {pkg_ref('@expo-google-fonts/noto-serif')}",
        "",
        "The Bengali fonts also include basic Latin letters and digits, but only the Noto Sans/Serif",
        "companions cover extended Latin, Greek and Cyrillic and carry matching Latin metrics and kerning.",
        "",
        "## Browser web font (`web/`)",
        "",
        f"From {pkg_ref('@fontsource/noto-sans-bengali')}: the `bengali` subset, weights 400 and 700, woff2 only.",
        "`web/noto-sans-bengali.css` declares them as `font-family: 'Noto Sans Bengali'` with",
        "`font-display: swap` and a Bengali-only `unicode-range` (fontsource's `bengali` range minus",
        "U+20B9 and U+25CC), so pages without Bengali text never download them. URLs are relative to the",
        "CSS file and carry `?v=` with the file's sha256 prefix, so browsers keep them for a year.",
        "Use e.g. `font-family: system-ui, 'Noto Sans Bengali', sans-serif;`.",
        "",
        "## Files",
        "",
        *file_table(rows, FONTS),
        "",
    ]
    put_text(FONTS / "FONTS.md", "\n".join(lines))


def main() -> None:
    if sys.version_info < (3, 11):
        fail("Python 3.11+ needed")
    with tempfile.TemporaryDirectory(prefix="vendor_static_") as t:
        tmp = Path(t)
        pkgs: dict[str, Path] = {}
        for name, (version, integrity) in NPM_PINS.items():
            log(f"npm pack {name}@{version}")
            pkgs[name] = npm_pack(name, version, integrity, tmp)
        check_packages(pkgs)
        copy_files(pkgs)
        make_ofl(pkgs)
        make_webfont_css(pkgs)
    remove_stale()
    write_vendor_manifest()
    write_fonts_manifest()
    if changed:
        for p in changed:
            log(f"wrote {p.relative_to(ROOT)}")
    else:
        log("everything already up to date")


if __name__ == "__main__":
    main()
