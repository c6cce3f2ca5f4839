/**
 * Not API: what Pulse's higher modules (streaming, pools, operator tools) share with the
 * replicated-map module (the map write protocol, the entry point for the maps Pulse keeps its own
 * state in). Public only because Java has no other way to share classes between modules; anything
 * here may change in any release.
 */
package io.pulse.rmap.internal;
