#!/usr/bin/env python3
"""Runs the README's walkthrough as a new user would, and checks every answer.

    contract/walkthrough.py [PATH-TO-SAHIFA-BINARY]      (default: target/release/sahifa)

Every ```sh block of README.md from "## A newsroom in five minutes" up to "### What every
response shares" runs, in order, in one bash session in a fresh temporary directory (so
variables such as TOKEN carry from block to block, as they would in a reader's terminal).
The commands are run exactly as written, with two stand-ins a reader would not notice:

- `cargo run --release -- ARGS` runs the built binary with ARGS; `cargo run --release`
  starts it as a server in the background (stopping the one before) and waits until it is
  ready;
- the address 127.0.0.1:8080 becomes a free port.

What is checked, command by command:
- every command exits with status 0;
- an answer that is a problem document (`application/problem+json` with a 4xx/5xx status)
  fails the walkthrough, unless the README says that answer is expected;
- where the README shows the answer (a `# → …` line after the command, or a `# {…}` comment
  on it), the real answer must contain it: every key shown with its value (`…` stands for
  what is left out; a leading status code is ignored, curl prints only the body).

Exits non-zero, naming the command, on the first failure. Standard library only.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = "## A newsroom in five minutes"
END = "### What every response shares"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def commands(readme):
    """(command, expectation or None, line number) for each command of the walkthrough."""
    text = readme[readme.index(START):readme.index(END)]
    first_line = readme[:readme.index(START)].count("\n") + 1
    found = []
    for block in re.finditer(r"```sh\n(.*?)```", text, re.S):
        lines = block.group(1).split("\n")
        line_no = first_line + text[:block.start()].count("\n") + 1
        current, start = [], None
        for offset, line in enumerate(lines):
            if line.startswith("# →"):
                if found:
                    command, _, at = found[-1]
                    found[-1] = (command, line[len("# →"):].strip(), at)
                continue
            if not line.strip() and not current:
                continue
            if start is None:
                start = line_no + offset
            current.append(line)
            if line.rstrip().endswith("\\") or unbalanced(current):
                continue
            command = "\n".join(current)
            expected = None
            trailing = re.search(r"\s#\s*(\{.*)$", command)
            if trailing:
                expected = trailing.group(1)
            found.append((command, expected, start))
            current, start = [], None
    return found


def unbalanced(lines):
    """Whether the command so far leaves a quote open (a JSON body over several lines)."""
    try:
        shlex.split("\n".join(lines), comments=True)
        return False
    except ValueError:
        return True


def expectation(text):
    """The JSON a README comment shows, with `…` (what is left out) removed."""
    text = re.sub(r"^\d{3}\s+", "", text.strip())
    text = re.sub(r",\s*…", "", text).replace("…", "")
    return json.loads(text)


def contains(expected, actual):
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) >= len(expected) and all(
            contains(e, a) for e, a in zip(expected, actual))
    return expected == actual


PRELUDE = r'''
set -o pipefail
__sahifa_pid=""
__stop() { if [ -n "$__sahifa_pid" ]; then kill "$__sahifa_pid" 2>/dev/null; wait "$__sahifa_pid" 2>/dev/null; __sahifa_pid=""; fi; }
trap __stop EXIT
cargo() {
    if [ "$1 $2" != "run --release" ]; then echo "walkthrough: unexpected cargo $*" >&2; return 2; fi
    shift 2
    if [ "$1" = "--" ]; then shift; "$SAHIFA_BIN" "$@"; return; fi
    __stop
    "$SAHIFA_BIN" serve >>server.log 2>&1 &
    __sahifa_pid=$!
    for _ in $(seq 1 300); do
        curl -s -o /dev/null -w '%{http_code}' "http://$SAHIFA_BIND/ready" 2>/dev/null | grep -q 200 && return 0
        kill -0 "$__sahifa_pid" 2>/dev/null || { echo "walkthrough: the server exited" >&2; return 1; }
        sleep 0.1
    done
    echo "walkthrough: the server did not become ready" >&2; return 1
}
'''


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target/release/sahifa"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"walkthrough: no sahifa binary at {binary}")
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        steps = commands(f.read())
    if len(steps) < 10:
        sys.exit(f"walkthrough: only {len(steps)} commands found in README.md; did the section move?")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="sahifa-walkthrough.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHIFA_") and k != "DATABASE_URL"}
    env.update({"SAHIFA_BIN": binary, "SAHIFA_BIND": f"127.0.0.1:{port}", "RUST_LOG": "warn"})
    script = [PRELUDE]
    for n, (command, _, line) in enumerate(steps):
        command = command.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        # A brace group, not a subshell: assignments (API=…, TOKEN=…) stay for later steps.
        script.append(f"{{ {command}\n}} > step-{n}.out 2> step-{n}.err || {{ echo \"$?\" > step-{n}.failed; exit 1; }}")
        script.append(f"echo ok > step-{n}.done")
    with open(os.path.join(workdir, "walkthrough.sh"), "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    subprocess.run(["bash", "walkthrough.sh"], cwd=workdir, env=env, stdin=subprocess.DEVNULL, timeout=600)
    failures = 0
    for n, (command, expected, line) in enumerate(steps):
        def show(problem):
            out = open(os.path.join(workdir, f"step-{n}.out"), encoding="utf-8", errors="replace").read() \
                if os.path.exists(os.path.join(workdir, f"step-{n}.out")) else ""
            err = open(os.path.join(workdir, f"step-{n}.err"), encoding="utf-8", errors="replace").read() \
                if os.path.exists(os.path.join(workdir, f"step-{n}.err")) else ""
            print(f"FAIL README.md:{line}: {problem}\n  $ {command}\n  stdout: {out[:800]}\n  stderr: {err[:800]}")
        if not os.path.exists(os.path.join(workdir, f"step-{n}.done")):
            show("the command failed" if os.path.exists(os.path.join(workdir, f"step-{n}.failed")) else "not reached")
            failures += 1
            break
        output = open(os.path.join(workdir, f"step-{n}.out"), encoding="utf-8").read().strip()
        answer = None
        if output.startswith("{"):
            try:
                answer = json.loads(output)
            except json.JSONDecodeError:
                pass
        if isinstance(answer, dict) and isinstance(answer.get("status"), int) and answer["status"] >= 400 \
                and "type" in answer:
            show(f"the answer is a problem: {answer.get('type')} {answer.get('detail')}")
            failures += 1
            continue
        if expected is not None:
            want = expectation(expected)
            if answer is None or not contains(want, answer):
                show(f"the answer does not contain what the README shows: {expected}")
                failures += 1
                continue
        print(f"ok   README.md:{line}: {command.splitlines()[0][:100]}")
    log = os.path.join(workdir, "server.log")
    if failures:
        if os.path.exists(log):
            print("---- server log\n" + open(log, encoding="utf-8", errors="replace").read()[-3000:])
        print(f"walkthrough: FAILED ({workdir} kept)")
        sys.exit(1)
    print(f"walkthrough: {len(steps)} commands of README.md ran as written, every answer as shown")


if __name__ == "__main__":
    main()
