package org.cairndns.server.config;

import java.nio.file.Path;

/**
 * Where a configuration is read from: the file its errors name and the folder its relative paths
 * resolve against.
 */
record Source(String file, Path folder) {
  ConfigException error(String key, String what) {
    return new ConfigException(file + ": " + key + ": " + what);
  }

  Path resolve(String path) {
    return folder.resolve(path).normalize();
  }
}
