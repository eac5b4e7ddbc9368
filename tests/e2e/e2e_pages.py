"""What the browser tests share: where chromium and the screenshots are, the served pages, signing in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.tables import IdentityCaseRow
from support.clerk_school import PASSWORD, ClerkSchool

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).with_name("artifacts")  # git-ignored: screenshots for a person to look at
PHONE = {"width": 375, "height": 740}


@dataclass
class Pages:
    base_url: str
    db: Database
    school: ClerkSchool

    def case_id(self, key: str, case_type: str) -> int:
        with self.db.session() as session:
            found = session.scalar(
                select(IdentityCaseRow.id).where(
                    IdentityCaseRow.person_id == self.school.persons[key], IdentityCaseRow.case_type == case_type
                )
            )
        assert found is not None
        return found


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
