package io.pulse.core.internal;

import java.util.Objects;

/**
 * Stateless validation of the names Pulse turns into Redis keys (maps, streams, sinks, pools).
 *
 * <p>A valid name has 1 to 512 characters (Unicode code points), none of which is a space, a control
 * character (NUL, tab, newline, ...), {@code *}, {@code ?}, {@code [}, {@code ]} or half of a
 * surrogate pair: wildcards would make the name unusable in Redis key patterns, control characters
 * make keys that logs and {@code redis-cli} show wrongly, and a lone surrogate cannot be encoded in
 * UTF-8 (it would silently become {@code ?}). Other characters, including {@code :}, are allowed, as
 * in Go Pulse.
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
            if (cp == ' ' || Character.isISOControl(cp) || cp == '*' || cp == '?' || cp == '[' || cp == ']'
                    || isLoneSurrogate(cp)) {
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
            throw new IllegalArgumentException("not a valid " + what + " name \"" + printable(name)
                    + "\": it needs 1 to " + MAX_LENGTH
                    + " characters, none of them a space, a control character, '*', '?', '[', ']' or a lone surrogate");
        }
        return name;
    }

    /**
     * Returns whether {@code s} is well-formed UTF-16 (no lone surrogate), so that it survives the
     * trip to Redis as UTF-8 unchanged.
     */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isLoneSurrogate(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /**
     * Returns {@code s} if it is well-formed UTF-16.
     *
     * @throws NullPointerException if {@code s} is null
     * @throws IllegalArgumentException if it holds a lone surrogate, which UTF-8 cannot encode
     */
    public static String requireWellFormed(String what, String s) {
        Objects.requireNonNull(s, what);
        if (!isWellFormed(s)) {
            throw new IllegalArgumentException(what + " \"" + printable(s)
                    + "\" holds half of a surrogate pair, which cannot be stored as UTF-8");
        }
        return s;
    }

    /** {@code s} with control characters and lone surrogates shown as {@code \\uXXXX}, for messages. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isISOControl(cp) || isLoneSurrogate(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** {@link String#codePointAt} returns a surrogate char itself only when it is not part of a pair. */
    private static boolean isLoneSurrogate(int cp) {
        return Character.isBmpCodePoint(cp) && Character.isSurrogate((char) cp);
    }
}
