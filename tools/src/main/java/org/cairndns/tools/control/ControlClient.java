package org.cairndns.tools.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigException;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.server.control.ControlEndpoint;
import org.cairndns.tools.serve.ServerLock;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The command side of the control channel: finds the endpoint of the server running on a store
 * (from {@code --config} or {@code --db}), sends one request line and reads the JSON reply.
 */
public final class ControlClient {
  /** A reply takes this long at most; the server answers from memory, so this is a hung server. */
  private static final long REPLY_TIMEOUT_SECONDS = 30;

  /** Largest reply read: thousands of zones' status fit many times over. */
  private static final int MAX_REPLY_BYTES = 64 << 20;

  private final Path database;
  private final Path endpoint;
  private final boolean enabled;

  private ControlClient(Path database, Path endpoint, boolean enabled) {
    this.database = database;
    this.endpoint = endpoint;
    this.enabled = enabled;
  }

  /**
   * @param config the server's configuration, or null
   * @param db the store, overriding the configuration's; with neither, {@code data/cairn}
   */
  public static ControlClient of(Path config, Path db) throws IOException, ConfigException {
    CairnConfig cfg = config == null ? ConfigLoader.defaults() : ConfigLoader.load(config);
    Path database = db != null ? db : config != null ? cfg.database() : ServerOptions.DEFAULT_STORE;
    return new ControlClient(
        database, ControlEndpoint.path(cfg.control(), database), cfg.control().enabled());
  }

  public Path database() {
    return database;
  }

  /** The reply: its JSON text and its fields. */
  public record Reply(String json, Map<String, Object> fields) {
    /** The server's error, or null when it answered. */
    public String error() {
      Object e = fields.get("error");
      return e == null ? null : e.toString();
    }
  }

  /**
   * Sends {@code request} to the running server.
   *
   * @throws NoServerException when no server answers at the endpoint
   */
  public Reply send(String request) throws IOException {
    if (!enabled) {
      throw new NoServerException(
          "the control channel is off in this configuration (control.enabled: false)");
    }
    String line = request;
    SocketChannel channel;
    try {
      if (Files.isRegularFile(endpoint)) { // loopback TCP: the file holds "tcp ADDRESS TOKEN"
        String[] fields = Files.readString(endpoint, StandardCharsets.US_ASCII).strip().split(" ");
        if (fields.length != 3 || !(fields[0] + " ").equals(ControlEndpoint.TCP_PREFIX)) {
          throw new IOException(
              endpoint + " is not a control token file (the server may be starting; try again)");
        }
        channel = SocketChannel.open(ConfigLoader.parseAddress(fields[1]));
        line = fields[2] + " " + request;
      } else {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
          channel.connect(UnixDomainSocketAddress.of(endpoint));
        } catch (IOException e) {
          channel.close();
          throw e;
        }
      }
    } catch (NoSuchFileException | java.net.ConnectException e) {
      throw noServer();
    } catch (IOException e) {
      if (!ServerLock.isRunning(database)) {
        throw noServer();
      }
      throw new IOException(
          "cannot reach the server running on "
              + database
              + " at "
              + endpoint
              + ": "
              + e.getMessage(),
          e);
    }
    return exchange(channel, line);
  }

  private NoServerException noServer() throws IOException {
    return new NoServerException(
        "no server is running on store "
            + database
            + " (nothing answers at "
            + endpoint
            + (ServerLock.isRunning(database)
                ? "; the store is locked by a server that may still be starting)"
                : ")"));
  }

  private static Reply exchange(SocketChannel channel, String line) throws IOException {
    // A blocking read has no timeout of its own; closing the channel ends it.
    CompletableFuture.delayedExecutor(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .execute(
            () -> {
              try {
                channel.close();
              } catch (IOException ignored) {
                // closed already
              }
            });
    try (channel) {
      channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
      while (channel.read(in) >= 0) {
        in.flip();
        reply.write(in.array(), 0, in.limit());
        in.clear();
        if (reply.size() > MAX_REPLY_BYTES) {
          throw new IOException("reply longer than " + MAX_REPLY_BYTES + " bytes");
        }
      }
      String json = reply.toString(StandardCharsets.UTF_8).strip();
      return new Reply(json, parse(json));
    } catch (java.nio.channels.AsynchronousCloseException e) {
      throw new IOException("the server did not reply within " + REPLY_TIMEOUT_SECONDS + "s", e);
    }
  }

  /** JSON is YAML's flow style, so the YAML parser the configuration uses reads the replies. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) throws IOException {
    Object value;
    try {
      value = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
    } catch (RuntimeException e) {
      throw new IOException("the server's reply is not JSON: " + e.getMessage(), e);
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IOException("the server's reply is not a JSON object: " + json);
    }
    return (Map<String, Object>) map;
  }

  /**
   * Nothing answers at the endpoint: no server runs on the store, or its control channel is off.
   */
  public static final class NoServerException extends IOException {
    private static final long serialVersionUID = 1L;

    NoServerException(String message) {
      super(message);
    }
  }
}
