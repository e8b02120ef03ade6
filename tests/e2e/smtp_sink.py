"""An aiosmtpd handler for the e-mail tests: each message taken is printed as one JSON line on stdout
(envelope, decoded subject, both parts); a recipient whose address starts with "reject" is refused
with a permanent 550, and printed as {"rejected": address}.

Run: PYTHONPATH=tests/e2e /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink
or, with TLS and a login (which aiosmtpd's command line cannot set up):
  /usr/bin/python3 tests/e2e/smtp_sink.py PORT (--starttls|--implicit-tls) CERT KEY --login USER:PASSWORD
STARTTLS is then required before anything else, and the login before any mail; each login tried is
printed as {"login": user, "accepted": bool}.
"""
import argparse
import email
import email.policy
import json
import signal
import ssl
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


def serve():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    tls = parser.add_mutually_exclusive_group(required=True)
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--login", required=True, metavar="USER:PASSWORD")
    args = parser.parse_args()
    user, password = args.login.split(":", 1)

    def authenticator(server, session, envelope, mechanism, data):
        accepted = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        print(json.dumps({"login": data.login.decode() if isinstance(data, LoginPassword) else None,
                          "mechanism": mechanism, "accepted": accepted}), flush=True)
        return AuthResult(success=accepted, handled=False)  # handled=False: aiosmtpd answers 535 itself

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*(args.starttls or args.implicit_tls))
    options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": True}
    if args.starttls:
        options.update(tls_context=context, require_starttls=True)
    else:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; here every byte is already encrypted.
        options.update(ssl_context=context, auth_require_tls=False)
    controller = Controller(Sink(), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve()
