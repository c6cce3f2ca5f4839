package io.pulse.core;

import java.util.Objects;

/**
 * Stateless validation of the names Pulse turns into Redis keys (maps, streams, sinks, pools).
 *
 * <p>A valid name has 1 to 512 characters (Unicode code points), none of which is a space, NUL,
 * {@code *}, {@code ?}, {@code [} or {@code ]}: those would make the name unusable in Redis key
 * patterns. Other characters, including {@code :} and other whitespace, are allowed, as in Go Pulse.
 */
public final class Names {

    /** Longest valid name, in code points. */
    public static final int MAX_LENGTH = 512;

    private Names() {
    }

    /** Returns whether {@code name} is a valid name; {@code null} is not. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        int count = name.codePointCount(0, name.length());
        if (count > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp == ' ' || cp == 0 || cp == '*' || cp == '?' || cp == '[' || cp == ']') {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /**
     * Returns {@code name} if valid.
     *
     * @param what what the name names, used in the message ("map", "stream", "sink", "pool")
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is not valid, saying why
     */
    public static String requireValid(String what, String name) {
        Objects.requireNonNull(name, () -> what + " name must not be null");
        if (!isValid(name)) {
            throw new IllegalArgumentException("not a valid " + what + " name \"" + name
                    + "\": it needs 1 to " + MAX_LENGTH
                    + " characters, none of them a space, NUL, '*', '?', '[' or ']'");
        }
        return name;
    }
}
