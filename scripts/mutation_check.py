"""Break the product on purpose, one named fault at a time, and see whether the tests notice.

Each fault is a small edit to security-critical code (an exact original snippet and its
faulty replacement, in one or more files) and the tests that ought to catch it. The check
copies the working tree (committed or not, without ``.git`` and the virtual environment) to a
scratch directory, applies one fault there, runs those tests against the copy with this
repository's virtual environment, and restores the file before the next fault. The working
tree itself is never modified.

    python scripts/mutation_check.py               # every fault; a table on standard output
    python scripts/mutation_check.py --list        # names only
    python scripts/mutation_check.py codes_equal   # just these
    python scripts/mutation_check.py --write-doc   # also record the result in docs/security.md
    python scripts/mutation_check.py --jobs 2      # two scratch copies side by side

A fault is *caught* when one of its tests fails on an assertion (``assert``, a
``pytest.raises`` that did not raise, an expected event that never came); *crashed* when
the first failure is another exception or an error in a fixture, and *timeout* when the
tests ran out of time: neither proves that a test checks what the fault broke, so neither
counts as caught. It is *missed* when the tests pass, and *stale* when its original snippet
is no longer in the file (the code moved: update the fault, do not drop it). Exit status: 0
when every fault was caught, 1 otherwise. It takes a few minutes per fault on a small
machine: run it before a release, not on every commit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
RESULT_START = "<!-- mutation-check result: written by scripts/mutation_check.py --write-doc -->"
RESULT_END = "<!-- end of mutation-check result -->"
SKIP = {".git", ".venv", ".helpline-demo", "__pycache__", ".mypy_cache", ".ruff_cache"}
TEST_TIMEOUT = 1200


@dataclass(frozen=True)
class Edit:
    path: str
    original: str
    faulty: str


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]


def fault(name: str, what: str, path: str, original: str, faulty: str, *tests: str) -> Fault:
    return Fault(name, what, (Edit(path, original, faulty),), tests)


ROGUE = "tests/session/test_rogue_peer.py"
HUB_RULES = "tests/signaling/test_hub_rules.py"
SESSION = "tests/session/test_headless_session.py"
ADVERSARIAL = "tests/adversarial"
DEVICE_RULES = "tests/devices/test_rules.py"
PERMISSIONS = "tests/adversarial/test_session_permissions.py"
TRUST = "tests/adversarial/test_server_trust.py"
AUDIT_CHAIN = "tests/signaling/test_audit_chain.py"
TAMPERING = "tests/adversarial/test_audit_tampering.py"
CARDS = "tests/signaling/test_cards.py"
ENTRA = "tests/signaling/test_entra_keys.py"
RESUME = "tests/signaling/test_resume.py"
SCOPES = "tests/signaling/test_auditor_scopes.py"
SHARER_CHECKS = "tests/engines/test_sharer_checks.py"
ADMISSION = "tests/signaling/test_admission.py"

FAULTS: tuple[Fault, ...] = (
    # ---- the nine faults of issue 14 ----------------------------------------------
    fault(
        "server_consent_from_helper",
        "the server accepts `consent` from the helper",
        "signaling/pairing/hub.py",
        "        self._require_role(conn, PeerRole.SHARER)\n"
        "        session = self._session_of(conn)\n"
        "        if session is None or session.state is not _S.AWAITING_CONSENT:",
        "        session = self._session_of(conn)\n"
        "        if session is None or session.state is not _S.AWAITING_CONSENT:",
        f"{HUB_RULES}::test_the_helper_cannot_consent_for_the_sharer",
    ),
    fault(
        "server_control_from_helper",
        "the server accepts `grant_control`, `revoke_control`, `deny_control` from the helper",
        "signaling/pairing/hub.py",
        "self._require_role(conn, PeerRole.SHARER if action in SHARER_ACTIONS "
        "else PeerRole.HELPER)",
        "self._require_role(conn, conn.role)",
        f"{HUB_RULES}::test_only_the_sharer_grants_revokes_or_denies_control",
    ),
    fault(
        "sharer_skips_card_signature",
        "the sharer shows the identity card without checking its signature",
        "client/session/sharer_engine.py",
        "card = verify_card(message.signed_card, self.server_key)",
        "card = message.signed_card.card",
        f"{SHARER_CHECKS}::test_a_card_with_any_field_changed_after_signing_is_refused",
        f"{ROGUE}::test_a_forged_identity_card_ends_the_session_before_any_consent",
    ),
    fault(
        "codes_equal_not_constant_time",
        "security codes compared with `==` instead of in constant time",
        "common/security_code.py",
        'return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))',
        "return a == b",
        "tests/signaling/test_codes_and_limits.py",
    ),
    fault(
        "jwks_never_refetches",
        "the JWKS cache never fetches again for an unknown key id (key rotation)",
        "signaling/identity/jwks.py",
        "if now - self._fetched_at >= self._min_refresh or not self._keys:",
        "if not self._keys:",
        "tests/signaling/test_entra_keys.py",
        "tests/signaling/test_tokens.py",
    ),
    fault(
        "audit_purge_once",
        "the audit purge runs once at start-up instead of daily",
        "signaling/audit/retention.py",
        "    while True:\n        await sleep(interval_seconds)",
        "    for _ in range(1):\n        await sleep(interval_seconds)",
        "tests/signaling/test_audit_store.py::test_purge_runs_again_and_again_not_once",
    ),
    fault(
        "input_rate_limit_a_billion",
        "the sharer's input rate limit is a billion events a second",
        "client/session/sharer_engine.py",
        "settings.max_input_events_per_second, burst=settings.max_input_events_per_second",
        "1_000_000_000, burst=1_000_000_000",
        f"{ROGUE}::test_a_flood_with_full_control_is_rate_limited",
    ),
    fault(
        "injector_ignores_monitor_offset",
        "the injector maps input as if every monitor started at (0, 0)",
        "client/media/injector.py",
        "self._mouse.position = to_pixels(self._geometry, event.x, event.y)",
        "self._mouse.position = to_pixels(\n"
        "                MonitorGeometry(0, 0, self._geometry.width, self._geometry.height),\n"
        "                event.x,\n"
        "                event.y,\n"
        "            )",
        "tests/media/test_injector.py",
        f"{SESSION}::test_the_second_monitor_is_captured_and_driven_at_its_offset",
    ),
    fault(
        "chat_permission_unchecked",
        "chat is recorded as used for a helper whose role does not allow chat",
        "signaling/pairing/hub.py",
        "    Feature.CHAT: Permission.CHAT,\n",
        "    Feature.CHAT: None,\n",
        f"{HUB_RULES}::test_chat_needs_the_chat_permission_and_is_recorded_from_the_report",
    ),
    # ---- the sharer's own safeguards ------------------------------------------------
    fault(
        "coordinates_unbounded",
        "pointer coordinates outside the shared monitor are accepted",
        "common/input_events.py",
        "Coordinate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]",
        "Coordinate = Annotated[float, Field(allow_inf_nan=False)]",
        "tests/session/test_input_gate.py",
    ),
    fault(
        "key_names_unchecked",
        "any key name is accepted and handed to the injector",
        "common/input_events.py",
        "        if value.lower() not in KEY_NAMES:",
        "        if False:",
        "tests/session/test_input_gate.py",
    ),
    fault(
        "offer_fingerprint_unchecked",
        "the sharer answers an offer whose DTLS fingerprints are not the card's",
        "client/session/peer_link.py",
        "        if not matches_card(sdp, card_fingerprint):\n"
        "            raise FingerprintMismatch\n",
        "",
        f"{ROGUE}::test_an_offer_from_another_peer_than_the_card_is_refused",
    ),
    fault(
        "view_consent_grants_control",
        "consenting to view only lets input through",
        "client/session/sharer_engine.py",
        "self.gate.set_granted(choice is ConsentChoice.CONTROL)",
        "self.gate.set_granted(True)",
        f"{SESSION}::test_view_only_blocks_input_until_granted_and_after_revoked",
    ),
    fault(
        "revoke_does_not_stop_input",
        "revoking control leaves injection on",
        "client/session/input_gate.py",
        "        self._granted = granted\n        if not granted:",
        "        self._granted = self._granted or granted\n        if not granted:",
        "tests/session/test_input_gate.py",
        f"{SESSION}::test_view_only_blocks_input_until_granted_and_after_revoked",
    ),
    fault(
        "pause_lets_input_through",
        "input is injected while sharing is paused",
        "client/session/input_gate.py",
        '        if self._paused:\n            return self._block("paused")\n',
        "",
        "tests/session/test_input_gate.py",
        f"{SESSION}::test_pause_blanks_the_picture_and_blocks_input_until_resumed",
    ),
    fault(
        "held_keys_kept_at_the_end",
        "keys held by the helper stay down when the session ends",
        "client/media/injector.py",
        '        """Let go of everything and of the display connections, while the display still '
        'lives."""\n        self.release_all()\n',
        '        """Let go of everything and of the display connections, while the display still '
        'lives."""\n',
        f"{SESSION}::test_keys_held_by_a_helper_that_vanishes_are_released",
    ),
    fault(
        "heartbeat_never_expires",
        "a silent peer is never declared gone",
        "client/session/peer_link.py",
        "if silent > self._settings.heartbeat_timeout:",
        "if False:",
        "tests/session/test_heartbeat.py",
        f"{SESSION}::test_a_frozen_helper_is_noticed_by_the_sharer_heartbeat_and_its_input_stops",
    ),
    fault(
        "consent_skipped_in_the_state_table",
        "the sharer's state machine lets a session go active without consent",
        "client/session/sharer_engine.py",
        "    SharerState.AWAITING_CONSENT: frozenset({SharerState.CONNECTING, _E}),",
        "    SharerState.AWAITING_CONSENT: frozenset(\n"
        "        {SharerState.CONNECTING, SharerState.ACTIVE, _E}\n    ),",
        "tests/session/test_state_machines.py",
    ),
    fault(
        "audit_chain_unlocked_across_servers",
        "two servers on one PostgreSQL database may link to the same head of the audit chain",
        "signaling/audit/store.py",
        "                    hold_for_transaction(db, CHAIN_LOCK)\n",
        "",
        "tests/storage/test_postgres_concurrency.py"
        "::test_two_servers_appending_to_one_chain_at_once_both_land_in_order",
    ),
    fault(
        "capture_ignores_chosen_monitor",
        "the sharer captures monitor 1 whatever monitor was chosen",
        # The track is shown the chosen monitor's geometry when the session starts (the
        # capture factory's is only its first): the fault is where that geometry comes from.
        "client/session/shared_screens.py",
        "        return self._monitors[self.current - 1]",
        "        return self._monitors[0]",
        f"{SESSION}::test_the_second_monitor_is_captured_and_driven_at_its_offset",
    ),
    # ---- devices and codes (issues 19 and 24) ----------------------------------------
    fault(
        "confirmation_by_substring",
        "any part of a device's name, in any case, confirms a destructive action",
        "common/devices/actions.py",
        "confirm.strip() == device_name.strip()",
        "confirm.strip().casefold() in device_name.casefold()",
        f"{ADVERSARIAL}/test_destructive_actions.py::test_only_the_exact_name_confirms",
        f"{DEVICE_RULES}::test_only_the_exact_name_confirms",
    ),
    fault(
        "self_approval_in_another_case",
        "a mixed-case UPN approves its own wipe",
        "common/devices/actions.py",
        "return one.strip().casefold() == other.strip().casefold()",
        "return one == other",
        f"{DEVICE_RULES}::test_nobody_approves_their_own_request_in_any_letter_case",
    ),
    fault(
        "fresh_start_without_second_person",
        "a fresh start that erases the user's data needs no second person",
        "common/devices/actions.py",
        "action in ERASES_UNLESS_KEPT and not keep_user_data",
        "False",
        f"{ADVERSARIAL}/test_destructive_actions.py"
        "::test_a_fresh_start_that_erases_user_data_needs_the_name_and_a_second_person",
        "tests/devices/test_statements.py",
    ),
    fault(
        "report_on_undelivered_action",
        "a device ends an action it was never sent",
        "signaling/devices/rules.py",
        "return current in REPORTABLE and reported",
        "return reported",
        f"{DEVICE_RULES}::test_a_device_reports_only_on_what_it_was_sent",
    ),
    fault(
        "redelivery_taken_for_a_crash",
        "a redelivered action that is still running is reported failed",
        "client/devices/agent.py",
        "        if record.id in self._running:\n            return  # redelivered while it runs",
        "        if False:\n            return  # redelivered while it runs",
        f"{ADVERSARIAL}/test_agent_redelivery.py",
    ),
    fault(
        "statement_misses_the_approver",
        "the server's signed statement leaves out who approved",
        "common/devices/statements.py",
        '        "approved_by": approved_by,\n',
        "",
        "tests/devices/test_statements.py::test_every_field_is_under_the_signature",
    ),
    fault(
        "agent_runs_unsigned_actions",
        "the agent runs an action without checking the server's statement",
        "client/devices/agent.py",
        "            self._check_statement(record)\n",
        "            pass\n",
        f"{ADVERSARIAL}/test_device_tables.py::test_the_agent_runs_no_forged_or_self_approved_wipe",
    ),
    fault(
        "verify_ignores_device_tables",
        "audit verify does not compare the action rows with the chain",
        "signaling/devices/chain_state.py",
        '        if problem := _differs("device action", action_row.id, wanted, had):',
        "        if problem := None:",
        f"{ADVERSARIAL}/test_device_tables.py::test_verify_names_every_edit_of_the_device_tables",
        "tests/devices/test_chain_state.py::test_each_edit_is_named",
    ),
    fault(
        "redeem_attempt_always_refunded",
        "a wrong code's reserved attempt is handed back as if the code were right",
        "signaling/pairing/hub.py",
        "        if pending is not None:\n            await self._limiter.refund(attempt)",
        "        if True:\n            await self._limiter.refund(attempt)",
        "tests/signaling/test_pairing.py::test_failed_redeems_are_rate_limited_with_retry_after",
        f"{ADVERSARIAL}/test_code_races.py",
    ),
    fault(
        "enrolment_without_cap",
        "an account without actions enrols any number of devices",
        "signaling/devices/rules.py",
        "    if cap is not None and held >= cap:",
        "    if False:",
        f"{ADVERSARIAL}/test_enrolment_limits.py",
    ),
    # ---- what the helper may do, and trust in the server (issue 19) -----------------
    fault(
        "sharer_grants_beyond_the_offer",
        "the sharer grants full control to a helper offered view only (its own check gone)",
        "client/session/sharer_engine.py",
        "        self._require_session()\n"
        "        if ConsentLevel.CONTROL not in self.offered:\n"
        '            raise EngineError(ClientErrorCode.NOT_OFFERED, "this helper may not take '
        'full control")\n'
        "        self.gate.set_granted(True)",
        "        self._require_session()\n        self.gate.set_granted(True)",
        f"{SHARER_CHECKS}::test_control_not_offered_is_neither_consented_nor_granted",
        f"{PERMISSIONS}::test_the_sharer_refuses_control_over_a_view_only_offer_when_the_server"
        "_does_not",
    ),
    fault(
        "sharer_shows_chat_without_permission",
        "the sharer's peer gate lets chat through whatever the helper's permissions",
        "client/session/peer_gate.py",
        '    "chat": Permission.CHAT,',
        '    "chat": None,',
        "tests/session/test_peer_gate.py",
        f"{PERMISSIONS}::test_chat_straight_over_the_data_channel_is_refused_and_audited",
    ),
    fault(
        "resume_keeps_the_old_grant",
        "after a resume with the role cut to view only, the sharer keeps injecting",
        "client/session/sharer_engine.py",
        "        if ConsentLevel.CONTROL not in self.offered and self.gate.granted:\n"
        "            self.gate.set_granted(False)\n",
        "        if ConsentLevel.CONTROL not in self.offered and self.gate.granted:\n",
        f"{SHARER_CHECKS}::test_a_resume_without_control_takes_the_grant_away",
        f"{PERMISSIONS}::test_a_resume_after_the_role_was_cut_takes_control_away",
    ),
    fault(
        "first_use_shown_verified",
        "a card signed with a key seen for the first time is shown as verified",
        "client/trust.py",
        'return ServerTrust(False, "first_use", FIRST_USE_REASON)',
        'return ServerTrust(True, "first_use", FIRST_USE_REASON)',
        "tests/field/test_trust_rules.py",
        f"{TRUST}::test_a_first_use_key_is_not_shown_as_verified",
    ),
    fault(
        "flag_overrides_the_pin",
        "a --server-key flag wins over the organisation's helpline.toml pin",
        "client/trust.py",
        "    _path, pins = organisation_pins()\n    if pins:\n        return pins\n",
        "    _path, pins = organisation_pins()\n    if pins and not settings.server_key:\n"
        "        return pins\n",
        "tests/field/test_trust_rules.py::test_the_organisations_pin_wins_over_a_flag",
    ),
    fault(
        "empty_configuration_accepted",
        "an empty helpline.toml is taken as no pin (trust on first use)",
        "client/org_config.py",
        "    if not config:\n        raise OrgConfigError(",
        "    if False:\n        raise OrgConfigError(",
        f"{TRUST}::test_a_broken_or_empty_configuration_refuses_to_start",
    ),
    fault(
        "redirect_followed_anywhere",
        "the websocket client follows a redirect to another host with the token",
        "client/signaling_client.py",
        "        if (old.secure, old.host, old.port) != (new.secure, new.host, new.port):",
        "        if False:",
        f"{TRUST}::test_a_redirect_to_another_host_gets_no_token",
    ),
    fault(
        "relay_to_6to4",
        "the packaged coturn configuration relays to 6to4 addresses (2002::/16)",
        "packaging/coturn/turnserver.conf",
        "denied-peer-ip=2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n",
        "",
        "tests/field/test_relay_peers.py",
    ),
    # ---- the audit (issue 19's audit holes, issue 24's verify after a purge) ------------
    fault(
        "audit_verify_excuses_any_record_after_purge",
        "after a purge, verify excuses every missing record, not only those it purged",
        "signaling/audit/verify.py",
        '            if want["started_at"] < purged_before:',
        "            if purged_before:",
        f"{AUDIT_CHAIN}::test_after_a_purge_a_deleted_record_is_still_named",
    ),
    fault(
        "audit_chain_not_keyed",
        "the chain is plain SHA-256 again: anyone with the database can recompute it",
        "signaling/audit/store.py",
        "        self._mac_key = chain.chain_key(signing_key) if signing_key is not None else None",
        "        self._mac_key = None",
        f"{TAMPERING}::test_a_record_rewritten_with_every_hash_after_it_recomputed_is_refused",
    ),
    fault(
        "audit_checkpoint_schedule_unchecked",
        "verify does not miss a checkpoint removed from the middle of the chain",
        "signaling/audit/verify.py",
        "        if checkpoint.seq > due:\n            return [_missing(last, due)]\n",
        "",
        f"{TAMPERING}::test_checkpoints_removed_from_the_middle_of_the_chain_are_missed",
    ),
    fault(
        "audit_anchor_ignored",
        "verify ignores the data folder's anchor: the chain's end can be cut with its checkpoints",
        "signaling/audit/verify.py",
        "    if view.head < anchor.seq:",
        "    if False:",
        f"{TAMPERING}::test_the_end_cut_against_an_anchor_from_before_it_kept_the_head_is_refused",
    ),
    fault(
        "audit_refusals_one_event_each",
        "every refused guess is its own event on the chain again",
        "signaling/audit/recorder.py",
        "        if any(budget.written >= FIRST_FEW for budget in found):",
        "        if False:",
        "tests/adversarial/test_audit_flood.py"
        "::test_one_connection_guessing_fast_writes_a_few_events_not_one_a_guess",
    ),
    # ---- issue 24, round two: the identity card -------------------------------------
    fault(
        "card_signature_skips_the_fingerprint",
        "the card's signature leaves out the DTLS fingerprint (the card-media binding)",
        "common/identity_card.py",
        'self.model_dump(mode="json"), sort_keys=True',
        'self.model_dump(mode="json", exclude={"dtls_fingerprint"}), sort_keys=True',
        f"{CARDS}::test_every_field_is_under_the_signature",
        f"{SHARER_CHECKS}::test_a_card_with_any_field_changed_after_signing_is_refused",
        f"{ROGUE}::test_a_forged_identity_card_ends_the_session_before_any_consent",
    ),
    fault(
        "card_signature_skips_the_issue_time",
        "the card's signature leaves out when it was issued (an old card made new)",
        "common/identity_card.py",
        'self.model_dump(mode="json"), sort_keys=True',
        'self.model_dump(mode="json", exclude={"issued_at"}), sort_keys=True',
        f"{CARDS}::test_every_field_is_under_the_signature",
    ),
    fault(
        "card_of_any_age_accepted",
        "a card issued long ago is accepted (a replay)",
        "common/identity_card.py",
        "    if not current - max_age <= issued <= current + CARD_CLOCK_SKEW:",
        "    if not issued <= current + CARD_CLOCK_SKEW:",
        f"{CARDS}::test_a_card_older_than_a_few_minutes_is_refused",
    ),
    # ---- origins -------------------------------------------------------------------------
    fault(
        "origin_allowed_by_prefix",
        "an origin that starts with an allowed one is let in (helpline.example.evil.example)",
        "signaling/admission.py",
        "    if origin is not None and origin not in rules.allowed_origins:",
        "    if origin is not None and not any(\n"
        "        origin.startswith(allowed) for allowed in rules.allowed_origins\n    ):",
        f"{ADMISSION}::test_only_an_allowed_origin_exactly_is_let_in",
    ),
    fault(
        "origin_unchecked_without_a_list",
        "with no allowed origins configured, every browser origin is let in",
        "signaling/admission.py",
        "    if origin is not None and origin not in rules.allowed_origins:",
        "    if origin is not None and rules.allowed_origins and origin not in "
        "rules.allowed_origins:",
        "tests/signaling/test_bad_input.py::test_a_foreign_browser_origin_is_refused",
    ),
    # ---- JWKS ----------------------------------------------------------------------------
    fault(
        "jwks_max_age_ignored",
        "a key set older than its maximum age is used for ever (a withdrawn key stays valid)",
        "signaling/identity/jwks.py",
        "        if kid not in self._keys or now - self._fetched_at > self._max_age:",
        "        if kid not in self._keys:",
        f"{ENTRA}::test_a_key_set_older_than_its_maximum_age_is_fetched_again",
    ),
    fault(
        "jwks_old_keys_kept_when_the_provider_is_down",
        "when the provider cannot be reached, the old keys are used past their maximum age",
        "signaling/identity/jwks.py",
        "                    await self._refresh()\n",
        "                    try:\n                        await self._refresh()\n"
        "                    except JwksError:\n"
        '                        log.warning("keeping the keys we have")\n',
        f"{ENTRA}::test_a_key_set_too_old_to_refresh_is_not_used",
    ),
    fault(
        "jwks_withdrawn_keys_kept",
        "a refetch adds the new keys to the old ones: a withdrawn key stays valid",
        "signaling/identity/jwks.py",
        "        self._keys = keys\n",
        "        self._keys = {**self._keys, **keys}\n",
        f"{ENTRA}::test_a_key_set_older_than_its_maximum_age_is_fetched_again",
        f"{ENTRA}::test_the_entra_configuration_accepts_tokens_from_the_rotated_issuer",
    ),
    fault(
        "jwks_refetch_unthrottled",
        "every unknown key id fetches the JWKS again: forged kids hammer the provider",
        "signaling/identity/jwks.py",
        "if now - self._fetched_at >= self._min_refresh or not self._keys:",
        "if True:",
        f"{ENTRA}::test_both_keys_verify_and_a_rotated_key_is_fetched_once",
    ),
    # ---- audit scopes --------------------------------------------------------------------
    fault(
        "auditor_scopes_from_every_role",
        "an auditor's scopes come from all their roles, not only those that grant reports",
        "signaling/identity/rbac.py",
        "        for role_name in account.user.roles\n"
        "        if permission in directory.roles[role_name].permissions\n",
        "        for role_name in account.user.roles\n",
        f"{SCOPES}::test_an_auditor_sees_only_the_scopes_of_the_roles_that_grant_reports",
        f"{SCOPES}::test_a_reports_role_without_scopes_sees_no_record",
    ),
    fault(
        "reports_role_without_scopes_sees_all",
        "a reports role with no scope reads every record",
        "signaling/audit/store.py",
        "            if scopes is None or ALL_SCOPES in scopes:",
        "            if not scopes or ALL_SCOPES in scopes:",
        f"{SCOPES}::test_a_reports_role_without_scopes_sees_no_record",
        "tests/console/test_report_queries.py",
    ),
    fault(
        "console_record_outside_the_scope",
        "the console shows any record by its id, whatever the auditor's scopes",
        "signaling/console/sessions_pages.py",
        "AuditFilter(limit=1, scopes=scopes, record_id=record_id)",
        "AuditFilter(limit=1, scopes=None, record_id=record_id)",
        f"{SCOPES}::test_an_auditor_sees_only_the_scopes_of_the_roles_that_grant_reports",
        "tests/console/test_console_http.py"
        "::test_auditors_see_records_within_their_scopes_on_the_page_and_in_the_csv",
    ),
    # ---- resume --------------------------------------------------------------------------
    fault(
        "resume_skips_the_device_scope",
        "a resumed session takes all of the helper's permissions, not those over this device",
        "signaling/pairing/resume.py",
        "        permissions = permissions_over(helper.account, sharer.device_groups, "
        "self._directory)",
        "        permissions = helper.account.permissions",
        f"{RESUME}::test_a_resumed_session_has_the_permissions_over_this_device_only",
        f"{RESUME}::test_a_resume_once_no_role_covers_the_device_is_refused",
    ),
    fault(
        "resume_token_of_another_account",
        "a resume token works for any account that signs in with it",
        "signaling/pairing/resume_tokens.py",
        "        if claims.account != conn.account.key or claims.role is not conn.role:",
        "        if claims.role is not conn.role:",
        f"{RESUME}::test_a_forged_token_or_one_for_another_account_or_side_is_refused",
    ),
    fault(
        "resume_token_never_expires",
        "a resume token is good for ever",
        "signaling/pairing/resume_tokens.py",
        "        if claims.expires <= self._clock():",
        "        if False:",
        f"{RESUME}::test_an_expired_token_is_refused",
    ),
    fault(
        "resume_tokens_repeat",
        "a token reissued within the same second is the same token as before",
        "signaling/pairing/resume_tokens.py",
        '                "n": secrets.token_urlsafe(12),\n',
        "",
        f"{RESUME}::test_two_tokens_issued_in_the_same_instant_differ",
    ),
    # ---- approvals and confirmations -----------------------------------------------------
    fault(
        "approval_of_an_approved_request",
        "an approved wipe can be approved again, by anyone else, and its approver replaced",
        "signaling/devices/rules.py",
        "    if approved_by is not None:\n"
        '        raise Refused(RefusalKind.CONFLICT, f"already approved by {approved_by}")\n',
        "",
        f"{DEVICE_RULES}::test_a_second_person_approves_a_pending_request_once",
        "tests/devices/test_actions.py::test_wipe_needs_confirmation_and_a_second_approver",
    ),
    fault(
        "approval_of_a_request_not_pending",
        "a cancelled or finished wipe can still be approved",
        "signaling/devices/rules.py",
        "    if state is not _A.PENDING:\n"
        '        raise Refused(RefusalKind.CONFLICT, f"the action is {state.value}; only a pending '
        'one "',
        "    if False:\n"
        '        raise Refused(RefusalKind.CONFLICT, f"the action is {state.value}; only a pending '
        'one "',
        f"{DEVICE_RULES}::test_only_a_pending_request_is_approved",
    ),
    fault(
        "approval_without_the_actions_permission",
        "anyone who can see a device may approve its wipe",
        "signaling/devices/service.py",
        "        self._require(account, device, Permission.ACTIONS)\n"
        "        record = await self._run(self._store.approve, action_id, account.upn.lower())",
        "        record = await self._run(self._store.approve, action_id, account.upn.lower())",
        "tests/devices/test_actions.py::test_wipe_needs_confirmation_and_a_second_approver",
    ),
    fault(
        "delete_without_confirmation",
        "delete (the device retires itself and drops its key) needs no device name",
        "common/devices/actions.py",
        "    {ActionKind.RETIRE, ActionKind.WIPE, ActionKind.FRESH_START, ActionKind.DELETE}",
        "    {ActionKind.RETIRE, ActionKind.WIPE, ActionKind.FRESH_START}",
        f"{ADVERSARIAL}/test_destructive_actions.py::test_delete_needs_the_device_name",
    ),
    fault(
        "confirmation_in_any_letter_case",
        "the device's name in another letter case (another machine's name) confirms",
        "common/devices/actions.py",
        "confirm.strip() == device_name.strip()",
        "confirm.strip().casefold() == device_name.strip().casefold()",
        f"{DEVICE_RULES}::test_only_the_exact_name_confirms",
        f"{ADVERSARIAL}/test_destructive_actions.py::test_only_the_exact_name_confirms",
    ),
    # ---- session outcomes ----------------------------------------------------------------
    fault(
        "unconsented_end_left_pending",
        "an attempt that ends before the sharer consented stays 'pending' in the record",
        "signaling/pairing/hub.py",
        "            if outcome is None and not session.consented:\n"
        "                outcome = Outcome.CANCELLED\n",
        "",
        f"{HUB_RULES}::test_each_way_a_session_ends_is_its_outcome_in_the_record",
    ),
    fault(
        "declined_recorded_as_cancelled",
        "a sharer's decline is recorded as a cancelled attempt",
        "signaling/pairing/hub.py",
        "session, EndReason.DECLINED, outcome=Outcome.DECLINED, notify=(session.helper,)",
        "session, EndReason.DECLINED, notify=(session.helper,)",
        f"{HUB_RULES}::test_each_way_a_session_ends_is_its_outcome_in_the_record",
    ),
    # ---- device action results -----------------------------------------------------------
    fault(
        "action_result_from_another_device",
        "a device ends an action delivered to another device, knowing its id",
        "signaling/devices/store.py",
        "            if row is None or row.device_id != device_id:",
        "            if row is None:",
        f"{ADVERSARIAL}/test_destructive_actions.py"
        "::test_a_device_cannot_report_on_another_devices_action",
    ),
    # ---- the sharer's grant and its gates ------------------------------------------------
    fault(
        "sharer_consents_beyond_the_offer",
        "the sharer consents to full control for a helper offered view only",
        "client/session/sharer_engine.py",
        "        if choice is ConsentChoice.CONTROL and ConsentLevel.CONTROL not in self.offered:",
        "        if False:",
        f"{SHARER_CHECKS}::test_control_not_offered_is_neither_consented_nor_granted",
        f"{PERMISSIONS}::test_the_sharer_refuses_control_over_a_view_only_offer_when_the_server"
        "_does_not",
    ),
    fault(
        "clipboard_without_permission",
        "the sharer's peer gate lets clipboard text through without the clipboard permission",
        "client/session/peer_gate.py",
        '    "clipboard": Permission.CLIPBOARD,',
        '    "clipboard": None,',
        "tests/session/test_peer_gate.py"
        "::test_the_clipboard_needs_its_permission_and_a_monitor_switch_needs_view",
    ),
    fault(
        "pause_keeps_keys_held",
        "keys the helper holds down stay down when the sharer pauses",
        "client/session/input_gate.py",
        "        self._paused = paused\n        if paused:\n"
        "            self._injector.release_all()",
        "        self._paused = paused",
        "tests/session/test_input_gate.py::test_pause_blocks_even_with_control",
    ),
    fault(
        "revoke_keeps_keys_held",
        "keys the helper holds down stay down when the sharer revokes control",
        "client/session/input_gate.py",
        "        self._granted = granted\n        if not granted:\n"
        "            self._injector.release_all()",
        "        self._granted = granted",
        "tests/session/test_input_gate.py"
        "::test_granted_injects_and_revoking_stops_at_once_and_releases",
    ),
    # ---- the chain's tail (issue 19's last hole) -----------------------------------------
    fault(
        "audit_tail_cut_unnoticed",
        "verify ignores the newest event the data folder saw: events after the last "
        "checkpoint can be cut",
        "signaling/audit/verify.py",
        "    if anchor.head is not None and view.head < anchor.head:",
        "    if False:",
        f"{TAMPERING}::test_events_after_the_last_checkpoint_cut_are_refused",
    ),
)


def scratch_copy(destination: Path) -> None:
    """The working tree as it is now, uncommitted changes included."""

    def ignore(_: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP or n.endswith(".egg-info")}

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)


def apply(scratch: Path, edits: tuple[Edit, ...]) -> dict[Path, str] | None:
    """Apply the edits; the files' original texts, or None if a snippet is not there once."""
    originals: dict[Path, str] = {}
    for edit in edits:
        path = scratch / edit.path
        if path not in originals:
            originals[path] = path.read_text() if path.exists() else ""
        text = path.read_text() if path.exists() else ""
        if text.count(edit.original) != 1:
            restore(originals)
            return None
        path.write_text(text.replace(edit.original, edit.faulty))
    return originals


def restore(originals: dict[Path, str]) -> None:
    for path, text in originals.items():
        path.write_text(text)


def compiles(scratch: Path, edits: tuple[Edit, ...]) -> bool:
    """A fault that breaks the syntax would be "caught" by any test: that proves nothing.
    Only Python is compiled; a configuration file (coturn's) is what its test reads."""
    for path in {scratch / edit.path for edit in edits if edit.path.endswith(".py")}:
        try:
            compile(path.read_text(), str(path), "exec")
        except SyntaxError:
            return False
    return True


# How pytest's summary words a failed assertion: a plain ``assert`` (rewritten), an
# AssertionError raised by a helper (an expected event that never came), a ``pytest.raises``
# that did not raise, a ``pytest.fail``. pytest-timeout's "Failed: Timeout" is no assertion.
ASSERTION_MESSAGES = ("assert", "AssertionError", "Failed: DID NOT RAISE", "Failed: ")
TIMEOUT_MESSAGES = ("Failed: Timeout",)


def classify(returncode: int, lines: list[str]) -> tuple[str, str]:
    """The outcome of one run of a fault's tests, and the line that says why."""
    failed = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    tail = (failed or lines or [""])[-1]
    if returncode == 0:
        return "missed", tail
    if returncode != 1:
        return "error", tail  # no such test, usage error, interrupted
    first = next((line for line in failed if line.startswith("FAILED ")), None)
    if first is None:
        return "crashed", tail  # only errors in fixtures or collection
    message = first.partition(" - ")[2]
    if message.startswith(TIMEOUT_MESSAGES):
        return "timeout", first
    if message.startswith(ASSERTION_MESSAGES):
        return "caught", first
    return "crashed", first


def run_tests(scratch: Path, tests: tuple[str, ...]) -> tuple[str, float, str]:
    """(outcome, seconds, the failing test or the summary line); see :func:`classify`."""
    # A wide terminal, so that pytest's summary keeps each failure's message.
    env = {
        **os.environ,
        "PYTHONPATH": str(scratch),
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "2000",
    }
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            timeout=TEST_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, "tests timed out"
    outcome, tail = classify(done.returncode, done.stdout.strip().splitlines())
    return outcome, time.monotonic() - started, tail


def check(faults: list[Fault], jobs: int = 1) -> list[tuple[Fault, str, str]]:
    """Each fault's outcome, in the order given. ``jobs`` scratch copies work side by side,
    each on every ``jobs``-th fault (the tests use free ports and private displays)."""
    found: dict[str, tuple[Fault, str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="helpline-mutation-") as tmp:
        shares = [faults[n::jobs] for n in range(jobs)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            done = [
                pool.submit(_check_in, Path(tmp) / f"repo-{n}", share)
                for n, share in enumerate(shares)
            ]
            for future in done:
                found.update({item.name: (item, outcome, tail) for item, outcome, tail in
                              future.result()})  # fmt: skip
    return [found[item.name] for item in faults]


def _check_in(scratch: Path, faults: list[Fault]) -> list[tuple[Fault, str, str]]:
    """One scratch copy, its faults one at a time."""
    results = []
    scratch_copy(scratch)
    for item in faults:
        originals = apply(scratch, item.edits)
        if originals is None:
            outcome, seconds, tail = "stale", 0.0, "original snippet not found"
        elif not compiles(scratch, item.edits):
            restore(originals)
            outcome, seconds, tail = "error", 0.0, "the faulty code does not compile"
        else:
            try:
                outcome, seconds, tail = run_tests(scratch, item.tests)
            finally:
                restore(originals)
        results.append((item, outcome, tail))
        print(f"{outcome:7s} {seconds:6.0f}s  {item.name}: {tail}", flush=True)
    return results


def table(results: list[tuple[Fault, str, str]]) -> str:
    counts = Counter(outcome for _, outcome, _ in results)
    others = ", ".join(
        f"{n} {outcome}" for outcome, n in sorted(counts.items()) if outcome != "caught"
    )
    lines = [
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"`python scripts/mutation_check.py`: **{counts['caught']} of {len(results)} faults "
        f"caught** by an assertion{f' ({others})' if others else ''}.",
        "",
        "| fault | what it breaks | result | tests run (the first failure and its message) |",
        "| --- | --- | --- | --- |",
    ]
    for item, outcome, detail in results:
        tests = "<br>".join(f"`{t}`" for t in item.tests)
        if detail.startswith("FAILED "):
            test, _, message = detail.removeprefix("FAILED ").partition(" - ")
            tests += f"<br>failed: `{test}`"
            if message:
                tests += f" ({_cell(message)})"
        elif outcome != "caught":
            tests += f"<br>{_cell(detail)}"
        lines.append(f"| `{item.name}` | {item.what} | **{outcome}** | {tests} |")
    return "\n".join(lines)


def _cell(text: str, limit: int = 120) -> str:
    """Text fit for one cell of a Markdown table: one line, no pipes or backticks, short."""
    text = text.replace("|", "/").replace("`", "'").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    start, end = doc.index(RESULT_START), doc.index(RESULT_END)
    DOC.write_text(doc[: start + len(RESULT_START)] + "\n\n" + text + "\n\n" + doc[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these faults (default: all)")
    parser.add_argument("--list", action="store_true", help="list the faults and exit")
    parser.add_argument("--write-doc", action="store_true", help=f"record the result in {DOC}")
    parser.add_argument(
        "--jobs", type=int, default=1, help="scratch copies at work side by side (default 1)"
    )
    args = parser.parse_args()
    if args.list:
        for item in FAULTS:
            print(f"{item.name}: {item.what}")
        return 0
    unknown = set(args.names) - {f.name for f in FAULTS}
    if unknown:
        parser.error(f"no such fault: {', '.join(sorted(unknown))}")
    chosen = [f for f in FAULTS if not args.names or f.name in args.names]
    results = check(chosen, max(1, args.jobs))
    text = table(results)
    print("\n" + text)
    if args.write_doc:
        write_doc(text)
    return 0 if all(outcome == "caught" for _, outcome, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
