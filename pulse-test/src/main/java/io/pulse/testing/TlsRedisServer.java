package io.pulse.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} this JVM starts (blocking until it listens) that accepts only TLS, with a
 * certificate for {@code 127.0.0.1} and {@code localhost} signed by a throw-away CA that
 * {@link #start()} makes with {@code openssl}; the CA is also written to a PKCS#12 truststore for
 * clients that verify the server. {@link #close()} stops the server and deletes the files.
 */
public final class TlsRedisServer implements AutoCloseable {

    /** The truststore's password. */
    public static final String TRUSTSTORE_PASSWORD = "changeit";

    private final Path dir;
    private final int port;
    private final Process process;

    private TlsRedisServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Makes the certificates and starts the server; empty if this machine has no {@code openssl}, or
     * no {@code redis-server} built with TLS, on its PATH.
     */
    public static Optional<TlsRedisServer> start() {
        Optional<Path> redis = RedisServers.findOnPath("redis-server");
        if (redis.isEmpty() || RedisServers.findOnPath("openssl").isEmpty()) {
            return Optional.empty();
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("pulse-tls-redis-");
            makeCertificates(dir);
            writeTruststore(dir);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make TLS certificates for redis-server", e);
        }
        int port = ProcessHelpers.freeLoopbackPort();
        List<String> command = List.of(redis.get().toString(), "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--tls-cert-file", dir.resolve("server.crt").toString(),
                "--tls-key-file", dir.resolve("server.key").toString(),
                "--tls-ca-cert-file", dir.resolve("ca.crt").toString(),
                "--tls-auth-clients", "no", "--logfile", dir.resolve("redis.log").toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server with TLS", e);
        }
        TlsRedisServer server = new TlsRedisServer(dir, port, process);
        if (!server.awaitListening()) {
            server.close();
            return Optional.empty(); // a redis-server built without TLS exits on --tls-port
        }
        return Optional.of(server);
    }

    /** The server's {@code rediss://} URI. */
    public String uri() {
        return "rediss://127.0.0.1:" + port;
    }

    /** The PKCS#12 truststore holding the CA that signed the server's certificate. */
    public File truststore() {
        return dir.resolve("truststore.p12").toFile();
    }

    private boolean awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                return false;
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                ProcessHelpers.sleep(20);
            }
        }
        return false;
    }

    private static void makeCertificates(Path dir) throws IOException {
        Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=Pulse test CA");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + args[0] + " failed; see " + dir.resolve("openssl.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void writeTruststore(Path dir) throws IOException, GeneralSecurityException {
        Certificate ca;
        try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
            ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("pulse-test-ca", ca);
        try (OutputStream out = Files.newOutputStream(dir.resolve("truststore.p12"))) {
            store.store(out, TRUSTSTORE_PASSWORD.toCharArray());
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
