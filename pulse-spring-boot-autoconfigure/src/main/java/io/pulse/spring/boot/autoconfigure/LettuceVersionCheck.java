package io.pulse.spring.boot.autoconfigure;

import io.lettuce.core.RedisClient;

/**
 * Refuses to start Pulse on a Lettuce or Netty line older than the ones it is built on. Spring Boot's
 * dependency management pins its own versions (Lettuce 6.6 and Netty 4.1 in Boot 3.5, Lettuce 6.8 in
 * Boot 4.0), which win over the versions Pulse asks for unless the application overrides them; without
 * this check the mismatch would show up later as a {@code NoSuchMethodError} or
 * {@code NoClassDefFoundError} deep in a Redis call. Stateless.
 */
final class LettuceVersionCheck {

    /** The Lettuce major version Pulse is built and tested on. */
    static final int REQUIRED_LETTUCE_MAJOR = 7;

    /** A class Netty 4.2 added and Lettuce 7 needs. */
    static final String NETTY_42_CLASS = "io.netty.channel.MultiThreadIoEventLoopGroup";

    private LettuceVersionCheck() {
    }

    /** Checks the Lettuce and Netty on the class path; a Lettuce jar without version information passes. */
    static void requireSupported() {
        requireSupportedLettuce(RedisClient.class.getPackage().getImplementationVersion());
        requireNetty42(isPresent(NETTY_42_CLASS), nettyVersion());
    }

    /**
     * Checks {@code version} as Lettuce's manifest states it, e.g. {@code 7.7.0.RELEASE/1960d49}.
     *
     * @throws IllegalStateException if its major version is older than {@link #REQUIRED_LETTUCE_MAJOR}
     */
    static void requireSupportedLettuce(String version) {
        if (version == null || version.isBlank()) {
            return;
        }
        int dot = version.indexOf('.');
        int major;
        try {
            major = Integer.parseInt(version.substring(0, dot < 0 ? version.length() : dot).trim());
        } catch (NumberFormatException e) {
            return;
        }
        if (major < REQUIRED_LETTUCE_MAJOR) {
            throw new IllegalStateException("Pulse needs Lettuce " + REQUIRED_LETTUCE_MAJOR + ".x, but the class path "
                    + "has Lettuce " + version + " (Spring Boot's dependency management pins its own version): set "
                    + "the build property lettuce.version to 7.7.0.RELEASE");
        }
    }

    /**
     * Checks that Netty is of the 4.2 line.
     *
     * @throws IllegalStateException if {@code netty42} is false, naming {@code version}
     */
    static void requireNetty42(boolean netty42, String version) {
        if (!netty42) {
            throw new IllegalStateException("Pulse's Lettuce needs Netty 4.2, but the class path has Netty " + version
                    + " (Spring Boot 3.5 pins 4.1): set the build property netty.version to 4.2.13.Final");
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, LettuceVersionCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String nettyVersion() {
        try {
            io.netty.util.Version v = io.netty.util.Version.identify().get("netty-common");
            return v == null ? "of an unknown version" : v.artifactVersion();
        } catch (RuntimeException | LinkageError e) {
            return "of an unknown version";
        }
    }
}
