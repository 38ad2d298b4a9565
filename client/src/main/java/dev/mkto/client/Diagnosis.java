package dev.mkto.client;

import java.util.List;

/**
 * Why a connection to Marketo works or not, from {@link MarketoClient#diagnose()}: one
 * {@link Outcome}, the evidence (each request made and what it answered), and the fix in words.
 */
public final class Diagnosis {

    /** What is wrong with the connection, if anything. */
    public enum Outcome {
        /** Credentials, user, permissions and network all work. */
        OK,
        /** The endpoint does not lead to Marketo's API: a wrong path, scheme or host that answers as something else. */
        ENDPOINT_FORMAT,
        /** No answer: the host does not resolve, refuses the connection, times out, or fails TLS. */
        UNREACHABLE,
        /** The identity service knows no custom service with this client id (or the service is disabled). */
        INVALID_CLIENT_ID,
        /** The client id is known; the secret is wrong. */
        INVALID_CLIENT_SECRET,
        /** The service's API-only user is deactivated, expired or missing, so no token can be had for it. */
        API_USER_INACTIVE,
        /** The instance's IP allowlist does not include this machine: even calls that need no permission are denied. */
        IP_NOT_ALLOWED,
        /** The API-only user's role lacks the permission to read leads. */
        MISSING_READ_PERMISSION
    }

    /**
     * One request made while diagnosing, and its answer.
     *
     * @param request    method and URL, e.g. {@code POST https://…/identity/oauth/token} (never credentials)
     * @param httpStatus the HTTP status, or 0 when there was no answer
     * @param code       Marketo's code ({@code 603}), the identity service's error ({@code invalid_client}), or empty
     * @param message    the answer's message, or the connection failure
     */
    public record Step(String request, int httpStatus, String code, String message) {
        @Override
        public String toString() {
            String answer = httpStatus == 0 ? "no answer" : "HTTP " + httpStatus;
            return request + " -> " + answer + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
        }
    }

    private final Outcome outcome;
    private final String summary;
    private final String fix;
    private final List<Step> evidence;
    private final List<String> endpointNotes;

    Diagnosis(Outcome outcome, String summary, String fix, List<Step> evidence, List<String> endpointNotes) {
        this.outcome = outcome;
        this.summary = summary;
        this.fix = fix;
        this.evidence = List.copyOf(evidence);
        this.endpointNotes = List.copyOf(endpointNotes);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** True for {@link Outcome#OK}. */
    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** What was found, in one or two sentences. */
    public String summary() {
        return summary;
    }

    /** What to do about it, in words a Marketo admin can follow. */
    public String fix() {
        return fix;
    }

    /** The requests made, in order, with their answers. */
    public List<Step> evidence() {
        return evidence;
    }

    /** What was corrected or assumed when the endpoint was parsed (see {@link Endpoint#notes()}). */
    public List<String> endpointNotes() {
        return endpointNotes;
    }

    /** A report of several lines: outcome, summary, evidence, endpoint notes, fix. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(outcome.name()).append(": ").append(summary).append('\n');
        for (Step s : evidence) {
            b.append("  ").append(s).append('\n');
        }
        for (String n : endpointNotes) {
            b.append("  endpoint: ").append(n).append('\n');
        }
        return b.append("Fix: ").append(fix).toString();
    }
}
