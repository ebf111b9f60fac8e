"""Answers rendered straight to bytes (``resources.base.answer``, a write's position) are the JSON the media handler renders.

The hot routes skip the dict and the media handler; what a client receives
must not change for it: the same bytes as ``json.dumps(model_dump(mode="json"),
ensure_ascii=False)`` with the app's separators, Russian text unescaped.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import falcon
import falcon.testing

from adapters.http.app import create_app
from adapters.http.resources.base import Resource, answer
from adapters.http.schemas import accounts as schemas
from lkk_core.accounts import Profile
from lkk_core.kernel.services import Services

TRICKY = 'Иванова «Ромашка» & <b>"\\\u2028\x01</script>'


def _profile() -> Profile:
    return Profile(
        account_id=uuid.uuid4(), email="анна@пример.рф", email_confirmed=True, registration_confirmed=True,
        login=None, last_name=TRICKY, first_name="Анна", patronymic=None, organisation="ООО «Ромашка»",
        position=None, address="г. Санкт-Петербург", phone="+78121231231", two_factor=False, advertising=True,
        registered_at=dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC), stage="done",
    )


class _Both(Resource):
    """GET answers by ``answer``; POST by the media handler; PUT as a write; the same result."""

    auth = "public"

    def __init__(self, services: Services, result: Profile) -> None:
        super().__init__(services)
        self.result = result

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        answer(resp, schemas.Profile, self.result)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = schemas.Profile.model_validate(self.result).model_dump(mode="json")

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.written(resp, 12345)

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"position": 12345}


def test_prf01_the_profile_rendered_to_bytes_is_what_the_media_handler_renders(services: Services) -> None:
    app = create_app(services)
    app.add_route("/test/both", _Both(services, _profile()))
    client = falcon.testing.TestClient(app)
    direct, handled = client.simulate_get("/test/both"), client.simulate_post("/test/both")
    assert direct.status_code == handled.status_code == 200
    assert direct.headers["Content-Type"] == handled.headers["Content-Type"] == falcon.MEDIA_JSON
    assert direct.content == handled.content
    assert "Иванова «Ромашка»".encode() in direct.content  # Russian text travels unescaped (UTF-8)
    assert json.loads(direct.content)["last_name"] == TRICKY
    write, media = client.simulate_put("/test/both"), client.simulate_patch("/test/both")
    assert write.content == media.content == b'{"position":12345}'
    assert write.headers["X-Lkk-Position"] == "12345"
