package io.pulse.examples.spring;

/** The records the service exchanges, as JSON on the wire and in Redis. */
final class Signups {

    /** Where every instance records what the audit sink and the email workers did, one key per user. */
    static final String LEDGER_MAP = "signups";

    private Signups() {
    }

    /** The request body of {@code POST /signups}. */
    record SignupRequest(String user, String email) {
    }

    /** The event added to the {@code users} stream per signup. */
    record UserCreated(String user, String email) {
    }

    /** The payload of a {@code welcome:<user>} job. */
    record WelcomeEmail(String user, String email) {
    }

    /** The answer to {@code POST /signups}: what the request did. */
    record SignupAccepted(String user, boolean welcomeEmail, String event, String job) {
    }

    /** The answer to {@code GET /signups/<user>}: what the consumers and the pool did with it so far. */
    record SignupStatus(String user, String auditedEvent, String welcomeEmail, boolean jobRunning) {
    }

    static String jobKey(String user) {
        return "welcome:" + user;
    }

    static String auditKey(String user) {
        return "audit:" + user;
    }

    static String emailKey(String user) {
        return "email:" + user;
    }
}
