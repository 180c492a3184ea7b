"""Receives one robot message and one event from the DingTalk fake's Stream gateway with the
official Python SDK (PyPI `dingtalk-stream`), replies to the robot message through its session
webhook, and exits 0 once the fake shows both acks.

Usage: python_stream.py BASE_URL APP_KEY APP_SECRET
"""

import asyncio
import json
import os
import sys
import urllib.request

import dingtalk_stream
from dingtalk_stream import AckMessage

BASE_URL, APP_KEY, APP_SECRET = sys.argv[1:4]
TIMEOUT_SECONDS = 60

# The SDK reads its open endpoint from a class attribute: point it at the fake.
dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = (
    BASE_URL + "/v1.0/gateway/connections/open"
)

received = {}


def show(what, value):
    print(what, json.dumps(value, ensure_ascii=False, sort_keys=True), flush=True)


class Bot(dingtalk_stream.ChatbotHandler):
    async def process(self, callback):
        message = dingtalk_stream.ChatbotMessage.from_dict(callback.data)
        received["bot"] = callback.headers.message_id
        show("BOT", {"messageId": callback.headers.message_id,
                     "topic": callback.headers.topic,
                     "text": message.text.content,
                     "sender": message.sender_nick,
                     "sessionWebhook": message.session_webhook})
        answer = self.reply_text("echo: " + message.text.content, message)
        show("SESSION_ANSWER", answer)
        return AckMessage.STATUS_OK, "OK"


class Events(dingtalk_stream.EventHandler):
    async def process(self, event):
        received["event"] = event.headers.message_id
        show("EVENT", {"messageId": event.headers.message_id,
                       "eventType": event.headers.event_type,
                       "eventId": event.headers.event_id,
                       "data": event.data})
        return AckMessage.STATUS_OK, "OK"


def fake_acks():
    with urllib.request.urlopen(BASE_URL + "/__mock/stream/acks", timeout=5) as response:
        return json.load(response)


async def watch():
    """Waits until the fake has recorded an ack of both messages."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(0.2)
        if len(received) < 2:
            continue
        try:
            acks = await loop.run_in_executor(None, fake_acks)
        except OSError as error:
            print("the fake's control API failed:", error, file=sys.stderr, flush=True)
            break
        acked = {ack["messageId"]: ack for ack in acks}
        if all(received[kind] in acked for kind in ("bot", "event")):
            for kind in ("bot", "event"):
                show("FAKE_RECORDED_ACK_" + kind.upper(), acked[received[kind]])
            return True
    return False


async def main():
    credential = dingtalk_stream.Credential(APP_KEY, APP_SECRET)
    client = dingtalk_stream.DingTalkStreamClient(credential)
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Bot())
    client.register_all_event_handler(Events())
    asyncio.create_task(client.start())
    ok = await watch()
    from dingtalk_stream.version import VERSION_STRING
    print("SDK_VERSION", VERSION_STRING, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    # The released SDK (0.24.3) has no stop() and its start() loop swallows cancellation, so the
    # process ends without waiting for it; the fake sees the WebSocket drop.
    loop = asyncio.new_event_loop()
    status = loop.run_until_complete(main())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
