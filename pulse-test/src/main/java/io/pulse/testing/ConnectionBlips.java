package io.pulse.testing;

import io.lettuce.core.KillArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Cuts every connection of one Redis user for a short while, blocking the caller for the blip's
 * length, as a network blip or a proxy restart would; one instance serves one test thread. A test
 * connects the code under test as {@link #user()} (see {@link #uri(String)}), and
 * {@link #blip(Duration)} runs {@code CLIENT KILL USER} over and over for the blip's length, so each
 * reconnect made within it is cut again. The test's own connections (the default user) are not hurt.
 */
public final class ConnectionBlips {

    private final RedisCommands<String, String> admin;
    private final String user;
    private final String password;

    private ConnectionBlips(RedisCommands<String, String> admin, String user, String password) {
        this.admin = admin;
        this.user = user;
        this.password = password;
    }

    /** Creates a Redis user with every permission whose connections {@link #blip} cuts. */
    public static ConnectionBlips create(RedisCommands<String, String> admin, String user) {
        String password = Long.toHexString(ThreadLocalRandom.current().nextLong());
        admin.aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword(password).allKeys()
                .allChannels().allCommands());
        return new ConnectionBlips(admin, user, password);
    }

    /** The user whose connections are cut. */
    public String user() {
        return user;
    }

    /** {@code baseUri} with this user's credentials. */
    public String uri(String baseUri) {
        int start = baseUri.indexOf("://") + 3;
        return baseUri.substring(0, start) + user + ":" + password + "@" + baseUri.substring(start);
    }

    /**
     * Kills every connection of the user, again and again, for {@code length}; returns how many
     * connections were killed. Blocks for the blip's length.
     */
    public long blip(Duration length) {
        long deadline = System.nanoTime() + length.toNanos();
        long killed = 0;
        do {
            Long n = admin.clientKill(new KillArgs().user(user));
            killed += n == null ? 0 : n;
            ProcessHelpers.sleep(5);
        } while (System.nanoTime() - deadline < 0);
        return killed;
    }
}
