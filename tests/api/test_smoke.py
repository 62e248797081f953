def test_register_then_me(api, owner):
    reply = api.get("/auth/me", as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["roles"] == ["admin"]
