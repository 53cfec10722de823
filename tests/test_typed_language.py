"""The console demo: a parent who chose German and types Turkish is offered Türkçe, and the button switches."""

from __future__ import annotations

from pathlib import Path

from tests.test_demo import every_value, run_demo

TURKISH = "Merhaba, çocuğum için yardım almak istiyorum"


def test_a_typed_turkish_line_after_choosing_german_gets_the_offer_and_pressing_it_switches(tmp_path: Path) -> None:
    result = run_demo(tmp_path, f"/start\n[Deutsch]\n{TURKISH}\n[🌐 Türkçe]\n", languages="de,en,tr")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sie schreiben Türkisch – auf Türkçe wechseln?\nTürkçe devam etmek için buraya dokunun:" in out
    assert "(no such button)" not in out
    after = out.split("[🌐 Türkçe]", 1)[1]
    assert "💶 Para ve sosyal yardımlar" in after
    assert all("yardım almak" not in value for value in every_value(tmp_path / "demo.db"))
