"""``/admin/technician-skills``: the catalogue (names unique whatever their case), a
technician's levels, bad input, roles, tenant isolation, exact totals, and
``skills.service.levels_of`` / ``required_levels`` with what they cost."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.skills import rules
from tests.support.isolation import assert_isolated
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff, technician

PATH = "/admin/technician-skills"


def _skill(api, account, name, **fields):
    reply = api.post(PATH, {"name": name, **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _levels(api, account, tech_id, *entries, status=200):
    reply = api.put(f"{PATH}/technicians/{tech_id}", {"skills": list(entries)}, as_=account)
    assert reply.status == status, reply.raw
    return reply


def test_rules_names_and_levels():
    assert rules.name_key("  HVAC   Repair ") == "hvac repair" == rules.name_key("hvac repair")
    assert rules.name_key("Straße") == rules.name_key("STRASSE")  # case-folded
    assert rules.check_name(" Gas  fitting ") == "Gas fitting"
    for bad in ("   ", "x" * 101):
        with pytest.raises(InvalidInput):
            rules.check_name(bad)
    assert rules.check_level(5) == 5
    for bad in (0, 6, True, 2.5, "3"):
        with pytest.raises(InvalidInput):
            rules.check_level(bad)


def test_catalogue_crud_and_unique_names(api, owner):
    hvac = _skill(api, owner, "  HVAC ", description="heating and cooling")
    assert hvac["id"] == 1 and hvac["name"] == "HVAC"
    assert api.get(f"{PATH}/1", as_=owner).data == hvac
    for taken in ("hvac", "HVAC", " hVaC  "):
        reply = api.post(PATH, {"name": taken}, as_=owner)
        assert reply.status == 409 and reply.error["code"] == "CONFLICT", taken
    plumbing = _skill(api, owner, "Plumbing")
    reply = api.patch(f"{PATH}/{plumbing['id']}", {"name": "Hvac"}, as_=owner)
    assert reply.status == 409
    reply = api.patch(f"{PATH}/{hvac['id']}", {"name": "hvac  Repair"}, as_=owner)
    assert reply.status == 200 and reply.data["name"] == "hvac Repair"
    assert reply.data["description"] == "heating and cooling"
    assert _skill(api, owner, "HVAC")["name"] == "HVAC"  # the old name is free again
    reply = api.patch(f"{PATH}/{hvac['id']}", {"name": "HVAC REPAIR"}, as_=owner)
    assert reply.status == 200 and reply.data["name"] == "HVAC REPAIR"  # same key, new case
    page = api.get(PATH, as_=owner).data
    assert [s["name"] for s in page["items"]] == ["HVAC REPAIR", "Plumbing", "HVAC"]
    assert page["total"] == 3
    reply = api.delete(f"{PATH}/{plumbing['id']}", as_=owner)
    assert reply.status == 200 and reply.data == {"id": plumbing["id"], "deleted": True}
    assert api.get(f"{PATH}/{plumbing['id']}", as_=owner).status == 404
    assert api.delete(f"{PATH}/{plumbing['id']}", as_=owner).status == 404
    assert api.get(PATH, as_=owner).data["total"] == 2
    assert _skill(api, owner, "plumbing")["name"] == "plumbing"  # its name is free


def test_technician_levels(api, owner):
    tech = technician(api, owner)
    hvac, gas = _skill(api, owner, "HVAC"), _skill(api, owner, "Gas fitting")
    path = f"{PATH}/technicians/{tech['id']}"
    assert api.get(path, as_=owner).data == {"technician_id": tech["id"], "skills": []}
    reply = _levels(
        api,
        owner,
        tech["id"],
        {"skill_id": hvac["id"], "level": 4},
        {"name": "GAS fitting", "level": 2},
    )
    assert reply.data == {
        "technician_id": tech["id"],
        "skills": [
            {"skill_id": gas["id"], "name": "Gas fitting", "level": 2},
            {"skill_id": hvac["id"], "name": "HVAC", "level": 4},
        ],
    }
    assert api.get(path, as_=owner).data == reply.data
    # a PUT replaces the whole set
    reply = _levels(api, owner, tech["id"], {"name": "hvac", "level": 5})
    assert reply.data["skills"] == [{"skill_id": hvac["id"], "name": "HVAC", "level": 5}]
    # a renamed skill keeps its levels; a deleted one is no longer shown
    api.patch(f"{PATH}/{hvac['id']}", {"name": "Heating"}, as_=owner)
    assert api.get(path, as_=owner).data["skills"][0]["name"] == "Heating"
    api.delete(f"{PATH}/{hvac['id']}", as_=owner)
    assert api.get(path, as_=owner).data["skills"] == []
    assert _levels(api, owner, tech["id"]).data["skills"] == []


def test_bad_input(api, owner, other):
    tech = technician(api, owner)
    hvac = _skill(api, owner, "HVAC")
    theirs = _skill(api, other, "Theirs")
    for body, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
    ]:
        reply = api.post(PATH, body, as_=owner)
        assert reply.status == 422 and reply.error["details"][0]["field"] == field, body
    assert api.patch(f"{PATH}/{hvac['id']}", {"name": None}, as_=owner).status == 422
    path = f"{PATH}/technicians/{tech['id']}"
    for entries, field in [
        ([{"skill_id": 99, "level": 3}], "skills.0.skill_id"),
        ([{"skill_id": theirs["id"] + 50, "level": 3}], "skills.0.skill_id"),
        ([{"level": 3, "skill_id": hvac["id"]}, {"name": "nope", "level": 2}], "skills.1.name"),
        ([{"skill_id": hvac["id"], "level": 3}, {"name": "hvac", "level": 2}], "skills.1"),
        ([{"skill_id": hvac["id"], "level": 6}], "skills.0.level"),
        ([{"skill_id": hvac["id"], "level": 0}], "skills.0.level"),
        ([{"skill_id": hvac["id"], "level": 2.5}], "skills.0.level"),
        ([{"level": 2}], "skills.0"),
        ([{"skill_id": hvac["id"], "name": "HVAC", "level": 2}], "skills.0"),
    ]:
        reply = api.put(path, {"skills": entries}, as_=owner)
        assert reply.status == 422, (entries, reply.raw)
        assert reply.error["details"][0]["field"] == field, (entries, reply.raw)
    assert api.put(path, {"skills": "all"}, as_=owner).status == 422
    assert api.put(f"{PATH}/technicians/999", {"skills": []}, as_=owner).status == 404
    assert api.get(f"{PATH}/technicians/999", as_=owner).status == 404
    assert api.get(path, as_=owner).data["skills"] == []  # nothing was written


def test_roles(api, owner):
    tech = technician(api, owner)
    hvac = _skill(api, owner, "HVAC")
    dispatcher, manager = staff(owner, "dispatcher"), staff(owner, "manager", 901)
    assert api.get(PATH, as_=dispatcher).status == 200
    assert api.get(f"{PATH}/technicians/{tech['id']}", as_=dispatcher).status == 200
    assert api.post(PATH, {"name": "Roofing"}, as_=dispatcher).status == 403
    body = {"skills": [{"skill_id": hvac["id"], "level": 1}]}
    assert api.put(f"{PATH}/technicians/{tech['id']}", body, as_=dispatcher).status == 403
    assert api.put(f"{PATH}/technicians/{tech['id']}", body, as_=manager).status == 200


def test_another_tenants_skills_and_levels_are_not_found(api, owner, other):
    tech = technician(api, owner)
    hvac = _skill(api, owner, "HVAC", description="secret-skill-note")
    _levels(api, owner, tech["id"], {"skill_id": hvac["id"], "level": 3})
    one, levels = f"{PATH}/{hvac['id']}", f"{PATH}/technicians/{tech['id']}"
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", one, None),
            ("PATCH", one, {"name": "mine"}),
            ("DELETE", one, None),
            ("GET", levels, None),
            ("PUT", levels, {"skills": []}),
        ],
        secrets=["secret-skill-note"],
    )
    assert api.get(PATH, as_=other).data["total"] == 0
    assert _skill(api, other, "hvac")["id"] == 1  # names are unique per tenant
    assert api.get(levels, as_=owner).data["skills"][0]["level"] == 3


def test_list_totals_and_cursor(api, owner):
    for n in range(5):
        _skill(api, owner, f"Skill {n}")
    api.delete(f"{PATH}/2", as_=owner)
    page = api.get(f"{PATH}?limit=2", as_=owner).data
    seen, total = [s["id"] for s in page["items"]], page["total"]
    while page["next_cursor"]:
        page = api.get(f"{PATH}?limit=2&cursor={page['next_cursor']}", as_=owner).data
        seen += [s["id"] for s in page["items"]]
    assert (seen, total) == ([1, 3, 4, 5], 4)


def test_levels_of_and_required_levels_are_bounded(api, owner):
    from chalicelib.skills import service

    techs = [technician(api, owner)["id"] for _ in range(3)]
    hvac, gas = _skill(api, owner, "HVAC"), _skill(api, owner, "Gas Fitting")
    _levels(
        api,
        owner,
        techs[0],
        {"skill_id": hvac["id"], "level": 4},
        {"name": "gas fitting", "level": 1},
    )
    _levels(api, owner, techs[1], {"skill_id": gas["id"], "level": 5})
    with counting_reads() as reads:
        got = service.levels_of(owner.tenant_id, techs)
    assert got == {
        techs[0]: {"hvac": 4, "gas fitting": 1},
        techs[1]: {"gas fitting": 5},
        techs[2]: {},
    }
    assert reads.calls == {"BatchGetItem": 2}  # the levels, then the skills they name
    lookup = service.required_levels(owner.tenant_id, techs, ["hvac", "Roofing", "HVAC "])
    assert lookup.names == ("hvac", "roofing")
    with counting_reads() as reads:
        found = service.read_many(lookup.refs)
    assert reads.calls == {"BatchGetItem": 1}
    assert lookup.levels(found) == {techs[0]: {"hvac": 4}, techs[1]: {}, techs[2]: {}}
    assert service.required_levels(owner.tenant_id, techs, []).refs == []
