"""Enrolment and what each person may see of the devices, over the real HTTP API."""

from __future__ import annotations

import httpx

from common.devices.signing import enroll_request, generate_device_key
from tests.devices.agent import enroll
from tests.devices.conftest import BOB, CAROL, ERIN, NOBODY, SAM, VIC


def test_an_enrolled_device_is_recorded_with_its_owner_and_groups(device_server, api):
    agent = enroll(device_server, BOB, " BOB-LAPTOP ")
    device = api(ERIN).get(f"/v1/devices/{agent.device_id}").json()
    assert device["name"] == "BOB-LAPTOP"
    assert (device["os"], device["os_version"], device["helpline_version"]) == (
        "Linux", "6.1", "0.test",
    )  # fmt: skip
    assert device["owner"] == BOB
    # The owner's groups in the directory, and the policy's groups for every device.
    assert device["groups"] == ["finance", "managed"]
    assert device["status"] == "enrolled" and device["last_check_in"] is None
    assert device["enrolled_at"]


def test_enrolment_needs_a_signed_in_user_and_the_key_it_enrols(device_server):
    key = generate_device_key()
    body = enroll_request(key, name="PC-1").model_dump(mode="json")
    url = device_server.url + "/v1/devices/enroll"
    assert httpx.post(url, json=body, timeout=10).status_code == 401

    headers = {"Authorization": f"Bearer {device_server.token_for(BOB)}"}
    other = enroll_request(generate_device_key(), name="PC-1").model_dump(mode="json")
    stolen = {**body, "proof": other["proof"]}  # signed by another key than the one enrolled
    refused = httpx.post(url, json=stolen, headers=headers, timeout=10)
    assert refused.status_code == 422
    assert "not signed by the key" in refused.json()["detail"]

    renamed = {**body, "name": "SOMETHING-ELSE"}  # the proof covers every field
    assert httpx.post(url, json=renamed, headers=headers, timeout=10).status_code == 422

    assert httpx.post(url, json=body, headers=headers, timeout=10).status_code == 201
    again = httpx.post(url, json=body, headers=headers, timeout=10)
    assert again.status_code == 409 and "already enrolled" in again.json()["detail"]


def test_bad_enrolment_bodies_get_a_clear_4xx(device_server):
    headers = {"Authorization": f"Bearer {device_server.token_for(BOB)}"}
    url = device_server.url + "/v1/devices/enroll"
    for body in ({}, {"public_key": "x"}, [1, 2], {"name": "PC\u202e", "public_key": "A" * 44}):
        response = httpx.post(url, json=body, headers=headers, timeout=10)
        assert response.status_code == 422
        assert "detail" in response.json()
    garbage = httpx.post(url, content=b"{not json", headers=headers, timeout=10)
    assert garbage.status_code == 422


def test_people_see_only_devices_in_their_scope(device_server, api):
    bobs = enroll(device_server, BOB, "BOB-PC")
    carols = enroll(device_server, CAROL, "CAROL-PC")

    listed = api(ERIN).get("/v1/devices").json()["devices"]
    assert [d["name"] for d in listed] == ["BOB-PC"]
    assert [d["name"] for d in api(VIC).get("/v1/devices").json()["devices"]] == ["BOB-PC"]
    assert api(SAM).get("/v1/devices").json()["devices"] == []
    # A role scoped to every group ("*") sees them all.
    auditor = api("dana@contoso.example").get("/v1/devices").json()["devices"]
    assert [d["name"] for d in auditor] == ["BOB-PC", "CAROL-PC"]

    out_of_scope = api(ERIN).get(f"/v1/devices/{carols.device_id}")
    assert out_of_scope.status_code == 403 and "outside your support scope" in out_of_scope.text
    assert api(ERIN).get(f"/v1/devices/{carols.device_id}/actions").status_code == 403
    no_role = api(NOBODY).get("/v1/devices")
    assert no_role.status_code == 403 and "does not allow seeing devices" in no_role.text
    assert api(ERIN).get("/v1/devices/0123abcd").status_code == 404
    assert api(ERIN).get(f"/v1/devices/{bobs.device_id}").status_code == 200


def test_the_list_filters(device_server, api):
    enroll(device_server, BOB, "BOB-PC")
    enroll(device_server, BOB, "BOB-MAC", os="macOS")
    erin = api(ERIN)
    names = lambda **q: [d["name"] for d in erin.get("/v1/devices", **q).json()["devices"]]  # noqa: E731
    assert names(os="macOS") == ["BOB-MAC"]
    assert names(name="pc") == ["BOB-PC"]
    assert names(owner=BOB.upper()) == ["BOB-MAC", "BOB-PC"]
    assert names(group="hr") == []
    assert names(status="enrolled") == ["BOB-MAC", "BOB-PC"]
    assert erin.get("/v1/devices", status="nonsense").status_code == 422
