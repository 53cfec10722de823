"""The chat page in a real browser, as a family uses it: buttons by their label, typing, the keyboard, reloading."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browser import in_thread

WAIT = 20.0


@dataclass(frozen=True)
class Shown:
    """A message of the bot as the page shows it."""

    text: str
    dir: str
    lang: str | None
    labels: list[str]


class ChatPage:
    def __init__(self, driver: Any, url: str) -> None:
        self.driver, self.url = driver, url

    async def open(self, query: str = "") -> None:
        await in_thread(lambda: self.driver.get(self.url + query))

    async def reload(self) -> None:
        await in_thread(self.driver.refresh)

    async def bot_messages(self) -> list[Shown]:
        return await in_thread(self._bot_messages)

    def _bot_messages(self) -> list[Shown]:
        script = """
            return Array.from(document.querySelectorAll('#log li.bot')).map(function (li) {
              return [li.querySelector('p').textContent, li.getAttribute('dir'), li.getAttribute('lang'),
                      Array.from(li.querySelectorAll('button')).map(function (b) { return b.textContent; })];
            });"""
        return [Shown(t, d, lang, labels) for t, d, lang, labels in self.driver.execute_script(script)]

    async def wait_for(self, condition: Any, what: str) -> Any:
        """Poll the page (in a thread) until condition(self) is truthy; fail naming what was awaited."""

        def poll() -> Any:
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                try:
                    found = condition(self)
                except (StaleElementReferenceException, WebDriverException):
                    found = None
                if found:
                    return found
                time.sleep(0.05)
            shown = [m.text[:80] for m in self._bot_messages()]
            raise AssertionError(f"the page never showed {what}; it shows {shown}")

        return await in_thread(poll)

    async def wait_for_button(self, label: str) -> None:
        await self.wait_for(lambda page: any(label in m.labels for m in page._bot_messages()), f"a button {label!r}")

    async def wait_for_text(self, part: str, after: int = 0) -> Shown:
        def found(page: ChatPage) -> Shown | None:
            return next((m for m in page._bot_messages()[after:] if part in m.text), None)

        shown: Shown = await self.wait_for(found, f"a message with {part!r}")
        return shown

    async def press(self, label: str) -> None:
        """Click the newest button with this label, and wait until the bot has answered (a new message)."""
        await self.wait_for_button(label)
        before = len(await self.bot_messages())

        def click() -> None:
            buttons = self.driver.find_elements(By.CSS_SELECTOR, "#log li.bot button")
            target = [b for b in buttons if b.text == label or b.get_attribute("textContent") == label][-1]
            assert target.tag_name == "button"
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
            target.click()

        await in_thread(click)
        await self.wait_for(lambda page: len(page._bot_messages()) > before, f"an answer to {label!r}")

    async def type(self, text: str) -> None:
        before = len(await self.bot_messages())

        def enter() -> None:
            field = self.driver.find_element(By.ID, "text")
            field.send_keys(text)
            field.send_keys(Keys.ENTER)

        await in_thread(enter)
        await self.wait_for(lambda page: len(page._bot_messages()) > before, f"an answer to {text!r}")

    async def tab_to(self, label: str, limit: int = 60) -> None:
        """Move the focus with the Tab key alone until it is on the button with this label."""

        def tab() -> None:
            body = self.driver.find_element(By.TAG_NAME, "body")
            body.click()
            for _ in range(limit):
                self.driver.switch_to.active_element.send_keys(Keys.TAB)
                active = self.driver.switch_to.active_element
                if active.tag_name == "button" and active.get_attribute("textContent") == label:
                    return
            raise AssertionError(f"Tab never reached {label!r}")

        await in_thread(tab)

    async def key(self, key: str) -> None:
        await in_thread(lambda: self.driver.switch_to.active_element.send_keys(key))

    async def attribute(self, selector: str, name: str) -> str | None:
        return await in_thread(lambda: self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name))

    async def click(self, element_id: str) -> None:
        await in_thread(lambda: self.driver.find_element(By.ID, element_id).click())

    async def visible(self, element_id: str) -> bool:
        return bool(await in_thread(lambda: self.driver.find_element(By.ID, element_id).is_displayed()))

    async def focus_outline(self) -> str:
        """The computed outline of the focused element (a visible focus ring)."""
        script = "var s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth;"
        return str(await in_thread(lambda: self.driver.execute_script(script)))

    async def contrasts(self) -> list[tuple[str, float]]:
        """Every visible text on the page (messages, buttons, labels, headings) with its contrast ratio (WCAG 2.1)
        against the first opaque background behind it."""
        script = """
            function opaque(el) {
              for (; el; el = el.parentElement) {
                var bg = getComputedStyle(el).backgroundColor;
                if (bg && bg !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(bg)) { return bg; }
              }
              return 'rgb(255, 255, 255)';
            }
            var found = [];
            document.querySelectorAll('p, button, label, h1, summary, textarea').forEach(function (el) {
              if (!el.offsetParent || !el.textContent.trim()) { return; }
              found.push([el.tagName + ' ' + el.textContent.trim().slice(0, 30), getComputedStyle(el).color,
                          opaque(el)]);
            });
            return found;"""
        found = await in_thread(lambda: self.driver.execute_script(script))
        return [(what, contrast(color, background)) for what, color, background in found]

    async def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert await in_thread(lambda: self.driver.save_screenshot(str(path)))
        return path


def _luminance(rgb: str) -> float:
    channels = [int(float(v)) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(color: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio of two CSS rgb() colours."""
    high, low = sorted((_luminance(color), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
