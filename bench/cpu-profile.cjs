/**
 * Preloaded with NODE_OPTIONS="--require ./bench/cpu-profile.cjs" (node refuses --cpu-prof there):
 * CPU-profiles the processes whose command line matches BENCH_PROFILE (a regular expression, e.g.
 * "next.*start" or "worker\\.ts") and writes <dir>/<pid>.cpuprofile when they exit (open it in
 * Chrome DevTools → Performance, or speedscope). Directory: BENCH_PROFILE_DIR, default bench/results.
 */
const fs = require("node:fs");
const path = require("node:path");
const inspector = require("node:inspector");

const pattern = process.env.BENCH_PROFILE;
if (pattern && new RegExp(pattern).test(process.argv.join(" "))) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 200 });
  session.post("Profiler.start");
  let saved = false;
  const save = () => {
    if (saved) return;
    saved = true;
    // In-process inspector calls complete synchronously, so this also works inside "exit".
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      const dir = process.env.BENCH_PROFILE_DIR || path.join(__dirname, "results");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on("exit", save);
  process.prependListener("SIGTERM", save);
  process.prependListener("SIGINT", save);
}
