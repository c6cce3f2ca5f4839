package io.pulse.admin;

/**
 * What a guarded action did: whether it changed Redis, and a sentence saying what happened or why it
 * refused. Immutable.
 */
public record ActionResult(boolean applied, String message) {

    static ActionResult applied(String message) {
        return new ActionResult(true, message);
    }

    static ActionResult refused(String message) {
        return new ActionResult(false, message);
    }
}
