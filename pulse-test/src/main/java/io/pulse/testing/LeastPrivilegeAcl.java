package io.pulse.testing;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The least-privilege Redis ACL README's Security section gives for Pulse, and a blocking, stateless
 * means to create a user with it on a test server: keys and channels under Pulse's prefixes only, and
 * only the commands Pulse sends (none of them {@code @dangerous} or {@code @admin}).
 */
public final class LeastPrivilegeAcl {

    /** The rules after {@code ACL SETUSER <user> on ><password>}, in README's order. */
    public static final List<String> RULES = List.of(
            "resetkeys", "~map:*", "~pulse:stream:*", "~pulse:pool:*", "~sink:*",
            "resetchannels", "&map:*",
            "-@all", "+ping",
            "+evalsha", "+eval",
            "+get", "+set", "+del", "+exists", "+pexpire", "+pttl",
            "+hget", "+hgetall", "+hset", "+hdel", "+hexists", "+hincrby", "+hlen",
            "+publish", "+subscribe", "+unsubscribe",
            "+xadd", "+xack", "+xautoclaim", "+xdel", "+xlen", "+xrange", "+xrevrange", "+xread", "+xreadgroup",
            "+xtrim", "+xpending", "+xgroup|create", "+xgroup|createconsumer", "+xgroup|delconsumer",
            "+xgroup|destroy", "+xinfo|groups", "+xinfo|consumers");

    /** The rules README gives for a process that only reads replicated maps (it cannot change them). */
    public static final List<String> MAP_READER_RULES = List.of(
            "resetkeys", "~map:*", "resetchannels", "&map:*", "-@all", "+ping", "+hgetall", "+subscribe",
            "+unsubscribe");

    private LeastPrivilegeAcl() {
    }

    /** The rules as README prints them, on one line. */
    public static String rulesLine() {
        return String.join(" ", RULES);
    }

    /** The map reader's rules as README prints them, on one line. */
    public static String mapReaderRulesLine() {
        return String.join(" ", MAP_READER_RULES);
    }

    /**
     * Creates (or resets) {@code user} with {@link #RULES} and a random password; returns a URI of
     * {@code baseUri}'s server that logs in as it.
     */
    public static String createUser(RedisCommands<String, String> admin, String baseUri, String user) {
        return createUser(admin, baseUri, user, RULES);
    }

    /** As {@link #createUser(RedisCommands, String, String)}, with {@code rules}. */
    public static String createUser(RedisCommands<String, String> admin, String baseUri, String user,
            List<String> rules) {
        String password = Long.toHexString(ThreadLocalRandom.current().nextLong());
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user).add("reset")
                .add("on").add(">" + password);
        rules.forEach(args::add);
        admin.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
        int start = baseUri.indexOf("://") + 3;
        return baseUri.substring(0, start) + user + ":" + password + "@" + baseUri.substring(start);
    }
}
