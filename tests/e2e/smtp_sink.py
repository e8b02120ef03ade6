"""An aiosmtpd handler for the e-mail tests: each message taken is printed as one JSON line on stdout
(envelope, decoded subject, both parts); a recipient whose address starts with "reject" is refused
with a permanent 550, and printed as {"rejected": address}.

Run: PYTHONPATH=tests/e2e /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink
"""
import email
import email.policy
import json
import sys


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            print(json.dumps({"rejected": address}), flush=True)
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
        print(json.dumps({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "raw_headers": envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("ascii"),
        }), flush=True)
        return "250 Message accepted for delivery"
