package io.pulse.core;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes Redis URIs safe to print or log: credentials are replaced by {@code ***}. Stateless.
 *
 * <p>Covers what Lettuce accepts: {@code redis://user:secret@host}, {@code redis://secret@host} (a
 * lone user-info part is a password to Lettuce), {@code rediss://}, {@code redis-socket://}, Sentinel
 * URIs with several hosts, and a {@code password=} query parameter.
 */
public final class RedisUris {

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&]password=)[^&#]*");

    private RedisUris() {
    }

    /** Returns {@code uri} with its password (and a lone user-info part) replaced by {@code ***}. */
    public static String redact(String uri) {
        Objects.requireNonNull(uri, "uri");
        String result = uri;
        int scheme = result.indexOf("://");
        if (scheme >= 0) {
            int start = scheme + 3;
            int end = authorityEnd(result, start);
            int at = result.lastIndexOf('@', end - 1);
            if (at >= start) {
                String userInfo = result.substring(start, at);
                int colon = userInfo.indexOf(':');
                String masked = colon >= 0 ? userInfo.substring(0, colon) + ":***" : "***";
                result = result.substring(0, start) + masked + result.substring(at);
            }
        }
        Matcher m = PASSWORD_PARAMETER.matcher(result);
        return m.replaceAll("$1***");
    }

    /** Where the query starts: a password with a raw {@code /} or {@code @} still ends at the last {@code @}. */
    private static int authorityEnd(String uri, int start) {
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }
}
