"""The VLM critic against a real OpenAI-compatible HTTP server on 127.0.0.1: the request it sends,
the verdicts it takes, and the offline fallback (with a notice) when the server is down, slow or
answers garbage."""

import time

import pytest
from openai_server import ChatCompletionsServer

from chatdit.critics.base import CritiqueContext
from chatdit.critics.vlm import VLMCritic
from chatdit.critics.world import instruction_from_spec
from chatdit.storybook import ObjectSpec, SceneSpec, render_scene

SCENE = SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left")])
ASKED = SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left"), ObjectSpec(kind="tree", color="green")])


def critic_server() -> ChatCompletionsServer:
    """A server whose reply each test sets: a function of the request body."""
    return ChatCompletionsServer(lambda body: {"r1": {"verdict": "pass", "reason": "ok"}})


@pytest.fixture
def server():
    running = critic_server()
    yield running
    running.close()


def judge(url, timeout=5.0):
    notices = []
    critic = VLMCritic(url, "qwen2.5-vl", api_key="k", timeout=timeout, notify=notices.append)
    image, _ = render_scene(SCENE, seed=1)
    instruction = instruction_from_spec(ASKED, "a red fox on the left and a green tree")
    return critic.judge(image, instruction, CritiqueContext(asset_id="a", prompt=instruction.prompt)), notices, critic


def verdicts(judgement):
    return {c.name: (c.verdict, c.detail) for c in judgement.critique.checks}


def test_each_requirement_is_asked_with_the_picture_and_a_json_schema(server):
    def answer(body):
        keys = body["response_format"]["json_schema"]["schema"]["required"]
        return {key: {"verdict": "fail" if key == "r5" else "pass", "reason": f"looked at {key}"} for key in keys}

    server.reply = answer
    judged, notices, _ = judge(server.url)
    [request] = server.requests
    body = request["body"]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    parts = body["messages"][1]["content"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert "r1: Does the picture show a red fox?" in parts[0]["text"]
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == [f"r{i}" for i in range(1, 9)]
    assert schema["properties"]["r1"]["properties"]["verdict"]["enum"] == ["pass", "fail", "unknown"]
    assert judged.critique.critic == "vlm" and not notices
    assert verdicts(judged)["tree: present"] == ("fail", "looked at r5")
    assert verdicts(judged)["fox: red"] == ("pass", "looked at r3")


def test_requirements_the_model_cannot_tell_keep_the_offline_verdict(server):
    server.reply = lambda body: {k: {"verdict": "unknown", "reason": "blurry"} for k in body["response_format"]["json_schema"]["schema"]["required"]}
    judged, _, _ = judge(server.url)
    assert verdicts(judged)["fox: red"][0] == "pass" and verdicts(judged)["tree: present"][0] == "fail"
    assert [r.action for r in judged.regions] == ["add"]  # the offline localisation of the missing tree


@pytest.mark.parametrize("reply", ["this is not json", {"r1": {"verdict": "pass"}}, {"r1": {"verdict": "maybe"}, "r2": {}}])
def test_garbage_answers_fall_back_to_offline_with_a_notice(server, reply):
    server.reply = lambda body: reply
    judged, notices, _ = judge(server.url)
    assert judged.critique.critic == "offline"
    [notice] = notices
    assert "unusable" in notice and "offline critic" in notice


def test_a_slow_server_times_out_into_the_offline_critic(server):
    server.delay = 1.0
    started = time.perf_counter()
    judged, notices, _ = judge(server.url, timeout=0.3)
    assert time.perf_counter() - started < 1.0
    assert judged.critique.critic == "offline" and "no answer within 0.3 s" in notices[0]


def test_a_server_that_is_down_is_not_asked_again_for_a_while():
    probe = critic_server()
    url = probe.url
    probe.close()
    judged, notices, critic = judge(url)
    assert judged.critique.critic == "offline" and "ConnectError" in notices[0]
    image, _ = render_scene(SCENE, seed=1)
    again = critic.judge(image, instruction_from_spec(SCENE, "a red fox"), CritiqueContext(prompt="a red fox"))
    assert again.critique.critic == "offline" and len(notices) == 1


def test_an_edit_is_judged_with_the_picture_before_it_and_its_change_is_required(server, tmp_path):
    from chatdit.schema import Instruction

    before, _ = render_scene(SCENE, seed=1)
    before.save(tmp_path / "before.png")
    after, _ = render_scene(SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="blue", position="left")]), seed=1)
    server.reply = lambda body: {"r1": {"verdict": "fail", "reason": "the fox is still red"},
                                 "r2": {"verdict": "pass", "reason": "the rest is the same"}}
    critic = VLMCritic(server.url, "qwen2.5-vl", timeout=5.0)
    edit = Instruction(task="edit", prompt="make the fox blue", edit="make the fox blue")
    context = CritiqueContext(asset_id="a", prompt=edit.prompt, edit=edit.edit, source=str(tmp_path / "before.png"), threshold=0.5)
    judged = critic.judge(after, edit, context)
    parts = server.requests[0]["body"]["messages"][1]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "image_url"]
    assert parts[0]["text"].startswith("The first picture is before the edit")
    assert "r1: Compared with the first picture, was this change made: 'make the fox blue'?" in parts[0]["text"]
    assert verdicts(judged)["edit: done"] == ("fail", "the fox is still red")
    assert judged.critique.score == 0.5 and not judged.critique.passed  # the change failed: no threshold saves it
    (tmp_path / "before.png").write_bytes(b"broken")
    unreadable = critic.judge(after, edit, context)  # nothing left to ask the model: the offline critic's word
    assert len(server.requests) == 1 and unreadable.critique.critic == "offline"
    assert verdicts(unreadable)["kept: the rest"][0] == "unknown"
