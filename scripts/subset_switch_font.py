"""Cut a tiny web font holding only the glyphs of the language switch's "বাংলা".

The switch is on every page. With the full Bengali web font (44 KB) an English page would
download it just to draw one word; this subset (about 1-2 KB) draws the word instead, and the
full font is still fetched on pages that show Bangla text. Run by `make vendor` after
scripts/vendor_static.py (it needs fonttools and brotli from the test extras).
"""

from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static" / "fonts" / "NotoSansBengali-Regular.ttf"
TARGET = ROOT / "static" / "fonts" / "web" / "noto-sans-bengali-switch.woff2"
TEXT = "বাংলা"


def main() -> None:
    """Write the subset font as woff2."""
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # keep the shaping rules for the word
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=TEXT)
    subsetter.subset(font)
    subset.save_font(font, str(TARGET), options)
    TARGET.with_suffix(".txt").write_text(
        f"{TARGET.name}: the glyphs of {TEXT!r} cut from ../NotoSansBengali-Regular.ttf (see ../FONTS.md for its\n"
        "package, version and the OFL licence, which covers this subset too) by scripts/subset_switch_font.py.\n",
        encoding="utf-8",
    )
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size} bytes for {TEXT!r}")
    print("Now set its ?v= in static/css/portal.css and verify.css to the first 10 hex digits of its sha256"
          " (tests/test_i18n.py checks).")


if __name__ == "__main__":
    main()
