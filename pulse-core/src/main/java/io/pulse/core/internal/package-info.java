/**
 * Not API: the plumbing Pulse's own modules share (the Redis facade behind {@code PulseRedis}, the Lua
 * script runner, argument and name checks, back-off, thread factories). Public only because Java has
 * no other way to share classes between modules; anything here may change or disappear in any
 * release. Users talk to Redis through {@code io.pulse.core.PulseRedis} (and its
 * {@code rawCommand} escape hatch) instead.
 */
package io.pulse.core.internal;
