"""A local Dovecot IMAP server with a throw-away configuration (Debian's dovecot-imapd): the
test suite's real IMAP server, and the demo mailbox `make run` polls (manage.py
support_demo_imap). Nothing here is used in production, where mailboxes are the sellers' own."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening")


@dataclass
class Imap:
    host: str
    port: int
    user: str
    password: str
    root: Path
    proc: subprocess.Popen = field(repr=False)

    def stop(self, remove: bool = True) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
last_valid_uid = 0
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
"""


def start_dovecot(
    user: str = "support", password: str = "s3cret-mailbox", port: int = 0, root: Path | None = None
) -> Imap:
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
    root = root or Path(tempfile.mkdtemp(prefix="dv"))
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # mail as the unprivileged dovecot user; root may not own mail
        mail_user = pwd.getpwnam("dovecot")
        internal, login, group = "dovecot", "dovenull", "dovecot"
        for sub in ("mail", "home", "state"):
            os.chown(root / sub, mail_user.pw_uid, mail_user.pw_gid)
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
    else:
        me = pwd.getpwuid(os.geteuid())
        internal = login = me.pw_name
        group = me.pw_name
        uid, gid = me.pw_uid, me.pw_gid
    os.chmod(root, 0o755)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    port = port or free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        CONFIG.format(
            root=root, port=port, uid=uid, gid=gid, internal=internal, login=login, group=group
        )
    )
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    _wait_for(port, proc, root / "dovecot.log")
    return Imap("127.0.0.1", port, user, password, root, proc)
