"""The console's map as a duty officer drives it: tar1090's keys, the range-and-bearing
ruler (checked against pyproj's geodesic), a notice drawn with its band and window, the
selected alert's predicted paths; and what a map update costs in this browser."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyproj import Geod
from tests.console.conftest import DemoServer, needs_browser

pytestmark = needs_browser
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def atlas(demo: tuple[DemoServer, dict[str, str]], browser: Any) -> Any:
    _, links = demo
    context = browser.new_context(viewport={"width": 1500, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(links["ATLAS"])
    page.wait_for_function(
        "window.__hotline && window.__hotline.live.tracks.n > 20", timeout=WAIT_MS
    )
    yield page
    assert not errors, errors
    context.close()


def zoom(page: Any) -> float:
    value: float = page.evaluate("window.__hotline.map.map.getZoom()")
    return value


def centre(page: Any) -> dict[str, float]:
    found: dict[str, float] = page.evaluate("window.__hotline.map.map.getCenter()")
    return found


def test_the_keys_of_tar1090(atlas: Any) -> None:
    page = atlas
    page.locator(".map").click(position={"x": 5, "y": 400})
    start = zoom(page)
    page.keyboard.press("e")
    assert zoom(page) == start + 1
    page.keyboard.press("q")
    page.keyboard.press("-")
    assert zoom(page) == start - 1
    page.keyboard.press("h")
    before = centre(page)
    page.keyboard.press("w")
    assert centre(page)["lat"] > before["lat"]
    page.keyboard.press("d")
    assert centre(page)["lng"] > before["lng"]
    page.keyboard.press("h")
    labels = page.evaluate("window.__hotline.map.labels")
    page.keyboard.press("l")
    assert page.evaluate("window.__hotline.map.labels") is (not labels)
    page.keyboard.press("l")
    page.keyboard.press("?")
    page.locator(".help").wait_for()
    page.keyboard.press("Escape")


def test_the_ruler_measures_on_the_ellipsoid(atlas: Any, artifacts: Path) -> None:
    page = atlas
    page.keyboard.press("g")
    # Two of the tracks on screen, far enough apart to click each on its own.
    points = page.evaluate(
        """() => { const m = window.__hotline.map; m.draw(); const s = m.screen;
        const found = [];
        for (let k = 0; k < s.n && found.length < 2; k++) {
          if (found.every(p => Math.hypot(p.x - s.x[k], p.y - s.y[k]) > 120)
              && s.x[k] > 60 && s.y[k] > 60) found.push({x: s.x[k], y: s.y[k]});
        }
        return found; }"""
    )
    assert len(points) == 2
    box = page.locator("div.map").bounding_box()
    for point in points:
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    measured = page.evaluate(
        """() => { const m = window.__hotline.map; m.draw();
        const ends = m.ruler.points.map(p => m.pointOf(p));
        return {text: m.rulerText, ends, keys: m.ruler.points.map(p => p.key)}; }"""
    )
    assert all(measured["keys"]), "each end is a track, and follows it"
    a, b = measured["ends"]
    azimuth, _, metres = Geod(ellps="WGS84").inv(a["lon"], a["lat"], b["lon"], b["lat"])
    nm_text, bearing_text = measured["text"].split()[0], measured["text"].split()[2]
    assert float(nm_text) == pytest.approx(round(metres / 1852, 1), abs=0.051)
    assert int(bearing_text.rstrip("°")) == round(azimuth % 360) % 360
    page.screenshot(path=str(artifacts / "ruler.png"))
    page.keyboard.press("g")


def test_a_notice_is_drawn_with_its_band_and_window(
    demo: tuple[DemoServer, dict[str, str]], atlas: Any, artifacts: Path
) -> None:
    server, _ = demo
    now = datetime.now(tz=UTC)
    notice = {
        "kind": "live-firing",
        "area": {"type": "Circle", "center": [33.2, 34.2], "radius_nm": 15},
        "lower": "SFC",
        "upper": "FL250",
        "window": {
            "start": (now + timedelta(hours=1)).isoformat(),
            "end": (now + timedelta(hours=3)).isoformat(),
        },
        "to": ["ATLAS"],
    }
    token = server.tokens()["BOREAS"]
    answer = httpx.post(
        f"{server.url}/v1/notices", json=notice, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text
    page = atlas
    page.wait_for_function(
        "window.__hotline.map.noticeLayer.getLayers().length === 1", timeout=WAIT_MS
    )
    tooltip = page.evaluate(
        "window.__hotline.map.noticeLayer.getLayers()[0].getTooltip().getContent()"
    )
    assert "live-firing" in tooltip
    assert "SFC–FL250" in tooltip
    assert "UTC" in tooltip
    page.screenshot(path=str(artifacts / "notice.png"))


def test_the_selected_alert_shows_its_prediction(atlas: Any, artifacts: Path) -> None:
    page = atlas
    alert = page.locator("li.alert:not(.resolved)").first
    alert.wait_for(timeout=WAIT_MS)
    alert.click()
    assert page.evaluate("window.__hotline.map.selectedAlert") == alert.get_attribute("data-alert")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "alert-selected.png"))
    frames = page.evaluate("window.__hotline.map.frameMs")
    assert frames, "the map was drawn"
    # A figure, not a test of speed (benchmarks.console measures 5 000 tracks).
    print(f"map update: {len(frames)} frames, median {statistics.median(frames):.1f} ms")


def test_the_sound_can_be_silenced_never_the_cue(atlas: Any) -> None:
    page = atlas
    warning = page.locator("li.alert[data-tier=warning]:not(.resolved)")
    if warning.count() == 0 or warning.first.locator(".done").count():
        pytest.skip("the demo's warning has passed or is acknowledged already")
    page.locator(".map").click(position={"x": 5, "y": 400})
    was_on = page.evaluate("localStorage.getItem('airhotline.sound') !== 'off'")
    page.keyboard.press("m")
    assert page.evaluate("localStorage.getItem('airhotline.sound')") == ("off" if was_on else "on")
    if was_on:
        assert "🔇" in page.locator("button.sound").inner_text()
    page.locator(".banner.warning").wait_for()
    assert "warning-cue" in (page.locator(".console").get_attribute("class") or "")
    page.keyboard.press("m")


def test_labels_never_cover_each_other_and_alerted_tracks_keep_theirs(atlas: Any) -> None:
    page = atlas
    page.keyboard.press("h")  # the opening view: the demo's traffic bunched over Cyprus
    page.locator("li.alert:not(.resolved)").first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(1200)
    labelled = page.evaluate("window.__hotline.map.labelled")
    alerted = page.evaluate("[...window.__hotline.map.alertTracks().keys()]")
    keys = {label["key"] for label in labelled}
    assert set(alerted) <= keys, "an alerted track lost its label"
    shown = page.evaluate("window.__hotline.map.screen.n")
    assert 0 < len(labelled) <= shown
    boxes = [label["box"] for label in labelled if label["key"] not in alerted]
    for k, (x, y, w, h) in enumerate(boxes):
        for bx, by, bw, bh in boxes[k + 1 :]:
            assert not (x < bx + bw and bx < x + w and y < by + bh and by < y + h), (
                "two labels overlap"
            )


def test_data_blocks_read_left_to_right_in_arabic(atlas: Any) -> None:
    page = atlas
    page.select_option("select.lang", "ar")
    try:
        page.wait_for_function("document.documentElement.dir === 'rtl'", timeout=WAIT_MS)
        page.wait_for_timeout(1200)
        text = page.evaluate(
            "(() => { const c = window.__hotline.map.canvas.getContext('2d');"
            " return [c.direction, c.textAlign]; })()"
        )
        assert text == ["ltr", "left"], "the canvas would mirror the data blocks"
    finally:
        page.select_option("select.lang", "en")
