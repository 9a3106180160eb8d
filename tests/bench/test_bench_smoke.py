"""Each benchmark in bench/ runs at a tiny size and reports what it is for, so none can rot.

Behaviour only: every recipient accepted, every due recipient polled, every SMS visible once.
The speed figures they print are not asserted (that is what the full-size runs are for).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run bench/<script> with the test interpreter from the project root."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_bulk_send_sends_every_recipient_through_both_adapters_and_the_sdk() -> None:
    result = run_bench("bulk_send.py", "--recipients", "250", "--latency", "0.005")
    out = result.stdout
    assert result.returncode in (0, 1), result.stderr  # 1: a speed target missed at this size
    assert re.search(r"raygansms .*calls +1 .*accepted 250\b", out), out
    assert re.search(r"payamak .*calls +3 .*accepted 250\b", out), out
    assert re.search(r"SDK \(in turn\) .*calls +3 .*accepted 250\b", out), out
    assert re.search(r"SDK \(8 threads\) .*calls +3 .*accepted 250\b", out), out
    assert out.count("every recipient accepted: PASS") == 2, out
    assert re.search(r"peak RSS +\d+\.\d MB", out), out


def test_bulk_send_skip_sdk_and_bad_flags() -> None:
    skipped = run_bench("bulk_send.py", "--recipients", "10", "--latency", "0", "--skip-sdk")
    assert "accepted 10" in skipped.stdout, skipped.stderr
    assert "SDK" not in skipped.stdout
    refused = run_bench("bulk_send.py", "--recipients", "50001")
    assert refused.returncode == 2
    assert "--recipients must be 1 to 50,000" in refused.stderr


def test_delivery_polling_prints_the_schedule_and_polls_every_due_recipient_once() -> None:
    result = run_bench("delivery_polling.py", "--recipients", "300", "--group", "100")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "polls of a recipient that never reaches a final state: 17" in out, out
    assert "first minute waits at most 11 s" in out and "bound 15 s: PASS" in out, out
    assert "17 × 1 = 17  (bound 20: PASS)" in out, out
    # 150 RayganSMS recipients in groups of 100: one GroupMessageStatus per group.
    assert re.search(r"raygan +150 recipients .*provider calls +2 .*polled once: 150", out), out
    assert re.search(r"meli +150 recipients .*provider calls +150 .*polled once: 150", out), out
    assert "PASS" in out


def test_inbound_burst_shows_every_sms_once_in_the_group() -> None:
    result = run_bench("inbound_burst.py", "--count", "30", "--timeout", "60")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "lost: 0; doubled: 0" in out, out
    assert "PASS" in out


def test_inbox_polling_fetches_every_sms_within_its_call_bounds() -> None:
    result = run_bench(
        "inbox_polling.py",
        "--sizes",
        "10,300",
        "--latency",
        "0.002",
        "--polls",
        "4",
        "--payamak-inbox",
        "300",
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert out.count("every SMS fetched: PASS") == 2, out
    assert out.count("every SMS read: PASS") == 4, out
    assert re.search(r"look-back +300 SMS .*steady +\d+ max", out), out


def test_export_csv_writes_every_row_with_flat_memory() -> None:
    result = run_bench("export_csv.py", "--messages", "2000")
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert re.search(r"rows 2,000 in ", out), out
    assert "PASS: every row written, memory flat" in out, out


def test_topic_burst_puts_every_sms_in_its_customers_topic() -> None:
    result = run_bench("topic_burst.py", "--customers", "4", "--per-customer", "2")
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert re.search(r"topics opened 4,", out), out
    assert "lost 0; doubled 0; in the wrong topic 0; outside topics 0" in out, out


def test_campaign_preview_reads_checks_and_stores_both_files() -> None:
    result = run_bench("campaign_preview.py", "--rows", "1200", "--latency", "0.005")
    out = result.stdout
    assert result.returncode in (0, 1), result.stderr
    for name in ("list.csv", "list.xlsx"):
        # 1,200 rows: rows 500 and 1000 are invalid, row 999 repeats the one before it.
        assert re.search(
            rf"{re.escape(name)} .*valid 1,197 +invalid 2 +duplicates 1 +to send 1,197", out
        ), out


def test_campaign_send_sends_every_recipient_through_both_simulators() -> None:
    result = run_bench("campaign_send.py", "--recipients", "2500", "--latency", "0.005")
    out = result.stdout
    assert result.returncode in (0, 1), result.stderr
    assert re.search(r"raygansms .*calls +3 .*accepted 2,500\b", out), out
    assert re.search(r"payamak .*calls +25 .*accepted 2,500\b", out), out
    assert out.count("every recipient accepted: PASS") == 2, out


def test_campaign_telegram_sends_each_rows_text_once_and_survives_429s() -> None:
    result = run_bench("campaign_telegram.py", "--rows", "300", "--latency", "0.005")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert re.search(r"raygan .*SendCorrespondingMessage': 1\}.*missing 0, extra 0", out), out
    assert re.search(r"meli .*'SendSMS': 5\}.*missing 0, extra 0", out), out
    # The fake refused two progress edits and the summary's upload; both still arrived.
    refused = "answered 429 by the fake: {'editMessageText': 2, 'sendDocument': 1}; ERROR records 0"
    assert out.count(refused) == 2, out
    assert out.count("no 429 left unhandled, no error: PASS") == 2, out


def test_campaign_telegram_refuses_bad_flags() -> None:
    refused = run_bench("campaign_telegram.py", "--accounts", "kavenegar")
    assert refused.returncode == 2
    assert "--accounts takes raygan, meli or both" in refused.stderr


def test_api_send_stores_answers_and_sends_each_message_once() -> None:
    result = run_bench("api_send.py", "--requests", "60", "--concurrency", "8", "--replays", "10")
    out = result.stdout
    assert result.returncode in (0, 1), out + result.stderr  # 1: the rate missed at this size
    assert "answered: {202: 60}" in out, out
    assert re.search(r"latency p50 [\d.]+ ms, p99 [\d.]+ ms", out), out
    assert "the simulator sent 60 SMS: 0 missing, 0 sent twice" in out, out
    assert "replays of 10 keys: {'true': 10}" in out, out
    assert "every one sent exactly once: PASS" in out, out


def test_webhooks_reach_the_receiver_and_survive_it_being_down() -> None:
    result = run_bench("webhooks.py", "--messages", "8", "--down", "2")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert re.search(r"live: \d+ events stored .*all delivered: True", out), out
    assert re.search(r"stored → received: p50 \d+ ms, p99 \d+ ms", out), out
    assert re.search(r"0 missing, \d+ duplicates \(all by event_id: True\)", out), out
    assert "none missing, duplicates only by event_id: PASS" in out, out


def test_otp_round_trips_through_the_api() -> None:
    result = run_bench("otp_api.py", "--rounds", "5")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert re.search(r"send \+ verify round trip: p50 [\d.]+ ms, p99 [\d.]+ ms", out), out
    assert "every code verified valid (5/5): PASS" in out, out


def test_replicas_forwards_and_polls_everything_once_with_one_replica_and_with_two() -> None:
    result = run_bench(
        "replicas.py",
        *("--sms", "24", "--recipients", "150", "--accounts", "2"),
        *("--latency", "0.005", "--timeout", "30", "--rounds", "2", "--gap", "0"),
    )
    out = result.stdout
    assert result.returncode in (0, 1), out + result.stderr  # 1: a speed target missed
    assert "1 replica:" in out and "2 replicas:" in out, out
    # Every SMS of both rounds shown once in its line's group, every recipient's report stored
    # after one poll, with one replica and with two.
    assert (
        len(re.findall(r"inbound +24 SMS .* lost 0, doubled 0, in the wrong group 0$", out, re.M))
        == 2
    ), out
    assert len(re.findall(r"delivery +150 recipients .* lost 0, doubled 0$", out, re.M)) == 2, out
    # 150 recipients a round in sends of 100, the accounts in turn: one RayganSMS send of 100
    # (one GroupMessageStatus), one Payamak send of 50 (one GetDeliveries2 each).
    calls = "GetDeliveries2 100, GroupMessageStatus 2"
    assert (
        f"PASS: delivery status calls the same with 1 and 2 replicas ({calls} vs {calls})" in out
    ), out
    assert re.search(r"^  replica 1 led: ", out, re.M), out
    assert "PASS: 2 replica(s): 0 lost, 0 doubled, 0 in the wrong group, no ERROR line" in out, out


def test_replicas_refuses_bad_flags() -> None:
    refused = run_bench("replicas.py", "--accounts", "0")
    assert refused.returncode == 2
    assert "--accounts must be 1 to 20" in refused.stderr
