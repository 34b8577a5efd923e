//! `cargo run -p build-site`: the release build of the portal without cargo-leptos.
//!
//! Does for this workspace what `cargo leptos build --release` (0.3.10) does, reading the same
//! `[[workspace.metadata.leptos]]` section, so both tools produce the same site:
//!
//! 1. the islands: `cargo build` of the lib package for `wasm32-unknown-unknown` in the
//!    `lib-profile-release` profile with the lib features, in `<target>/front` (cargo locks a
//!    target folder per build, and this build shares nothing with the server's anyway);
//! 2. at the same time, the server: `cargo build` of the bin package in the release profile;
//! 3. wasm-bindgen (the library, pinned to the `wasm-bindgen` of `Cargo.lock`), web target, into
//!    `<site-root>/<site-pkg-dir>`: `<output-name>.js` and `<output-name>.wasm` (renamed from
//!    `_bg.wasm` as cargo-leptos does);
//! 4. `wasm-opt -Oz` from the npm package `binaryen` pinned in `end2end/package.json`, with the
//!    features cargo-leptos enables;
//! 5. the stylesheet to `<site-pkg-dir>/<output-name>.css`, and the assets folder, if any, to the
//!    site root.
//!
//! Both builds get cargo-leptos's environment. It matters for one variable: the `leptos` crate
//! reads `LEPTOS_OUTPUT_NAME` at compile time, and with it set the pages load
//! `/pkg/<output-name>.wasm` (without it, `<output-name>_bg.wasm`).
//!
//! Not done (cargo-leptos does them in release): minifying the stylesheet (lightningcss) and the
//! JavaScript glue (swc). Environment: `LEPTOS_SITE_ROOT` overrides the site root; `WASM_OPT`
//! names another wasm-opt of the same binaryen version.

use anyhow::{Context as _, Result, ensure};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::time::Instant;
use std::{env, fs};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// What cargo-leptos passes to wasm-opt in release unless `wasm-opt-features` says otherwise.
const WASM_OPT_ARGS: [&str; 3] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("build-site: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The `[[workspace.metadata.leptos]]` entry: the keys this build uses (others are ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Project {
    output_name: String,
    bin_package: String,
    bin_target: Option<String>,
    lib_package: String,
    site_root: PathBuf,
    site_pkg_dir: String,
    style_file: Option<PathBuf>,
    assets_dir: Option<PathBuf>,
    site_addr: String,
    reload_port: u16,
    #[serde(default)]
    bin_features: Vec<String>,
    #[serde(default = "yes")]
    bin_default_features: bool,
    #[serde(default)]
    lib_features: Vec<String>,
    #[serde(default = "yes")]
    lib_default_features: bool,
    lib_profile_release: Option<String>,
    bin_profile_release: Option<String>,
}

fn yes() -> bool {
    true
}

/// The parts of `cargo metadata --no-deps` used here.
#[derive(Deserialize)]
struct Metadata {
    workspace_root: PathBuf,
    target_directory: PathBuf,
    packages: Vec<Package>,
    metadata: Option<WorkspaceMetadata>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
}

#[derive(Deserialize)]
struct WorkspaceMetadata {
    leptos: Option<Vec<Project>>,
}

/// Everything the build needs to know, resolved once.
struct Plan {
    cargo: PathBuf,
    root: PathBuf,
    target: PathBuf,
    project: Project,
    site_root: PathBuf,
    /// `LEPTOS_*` variables cargo-leptos sets for both builds.
    env: Vec<(&'static str, String)>,
}

fn run() -> Result<()> {
    let started = Instant::now();
    let plan = Plan::load()?;
    // Checked before the long builds, so a missing npm install fails in a second.
    let wasm_opt = wasm_opt(&plan.root)?;

    let front_target = plan.target.join("front");
    let lib_profile = plan
        .project
        .lib_profile_release
        .clone()
        .unwrap_or_else(|| "release".into());
    let bin_profile = plan
        .project
        .bin_profile_release
        .clone()
        .unwrap_or_else(|| "release".into());

    let mut front = Running::start(
        "the WASM build",
        plan.cargo_build(&front_target, true, &lib_profile),
    )?;
    let mut server = match Running::start(
        "the server build",
        plan.cargo_build(&plan.target, false, &bin_profile),
    ) {
        Ok(server) => server,
        Err(e) => {
            front.stop();
            return Err(e);
        }
    };

    let site = front.finish().and_then(|()| {
        let lib_name = plan.project.lib_package.replace('-', "_");
        let wasm = front_target
            .join(WASM_TARGET)
            .join(profile_dir(&lib_profile))
            .join(format!("{lib_name}.wasm"));
        plan.site(&wasm, &wasm_opt, &front_target.join("build-site.stamp"))
    });
    if let Err(e) = site {
        server.stop();
        return Err(e);
    }
    server.finish()?;

    let bin = plan
        .project
        .bin_target
        .as_deref()
        .unwrap_or(&plan.project.bin_package);
    eprintln!(
        "build-site: site in {}, server at {}, in {:.0?}",
        plan.site_root.display(),
        plan.target
            .join(profile_dir(&bin_profile))
            .join(bin)
            .display(),
        started.elapsed(),
    );
    Ok(())
}

impl Plan {
    fn load() -> Result<Self> {
        let cargo = PathBuf::from(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        let out = Command::new(&cargo)
            .args(["metadata", "--no-deps", "--format-version=1"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .context("running cargo metadata")?;
        ensure!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Metadata =
            serde_json::from_slice(&out.stdout).context("reading cargo metadata")?;
        let mut projects = meta
            .metadata
            .and_then(|m| m.leptos)
            .context("Cargo.toml has no [[workspace.metadata.leptos]] section")?;
        ensure!(
            projects.len() == 1,
            "expected one [[workspace.metadata.leptos]] project, found {}",
            projects.len()
        );
        let project = projects.remove(0);

        let root = meta.workspace_root;
        let site_root = env::var_os("LEPTOS_SITE_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(&project.site_root));
        let package_dir = |name: &str| -> Result<String> {
            let package = meta
                .packages
                .iter()
                .find(|p| p.name == name)
                .with_context(|| format!("no package {name} in the workspace"))?;
            let dir = package.manifest_path.parent().unwrap_or(&root);
            Ok(dir.strip_prefix(&root).unwrap_or(dir).display().to_string())
        };
        let env = vec![
            ("LEPTOS_OUTPUT_NAME", project.output_name.clone()),
            ("LEPTOS_SITE_ROOT", site_root.display().to_string()),
            ("LEPTOS_SITE_PKG_DIR", project.site_pkg_dir.clone()),
            ("LEPTOS_SITE_ADDR", project.site_addr.clone()),
            ("LEPTOS_RELOAD_PORT", project.reload_port.to_string()),
            ("LEPTOS_LIB_DIR", package_dir(&project.lib_package)?),
            ("LEPTOS_BIN_DIR", package_dir(&project.bin_package)?),
            ("LEPTOS_JS_MINIFY", "false".into()),
            ("LEPTOS_HASH_FILES", "false".into()),
        ];
        Ok(Self {
            cargo,
            target: meta.target_directory,
            root,
            project,
            site_root,
            env,
        })
    }

    /// `cargo build` of the islands (`wasm`) or of the server binary, as cargo-leptos runs it.
    fn cargo_build(&self, target_dir: &Path, wasm: bool, profile: &str) -> Command {
        let p = &self.project;
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(&self.root).arg("build");
        let (features, default_features) = if wasm {
            cmd.args([
                "--package",
                &p.lib_package,
                "--lib",
                "--target",
                WASM_TARGET,
            ]);
            (&p.lib_features, p.lib_default_features)
        } else {
            let bin = p.bin_target.as_deref().unwrap_or(&p.bin_package);
            cmd.args(["--package", &p.bin_package, "--bin", bin]);
            (&p.bin_features, p.bin_default_features)
        };
        if !default_features {
            cmd.arg("--no-default-features");
        }
        if !features.is_empty() {
            cmd.arg("--features").arg(features.join(","));
        }
        cmd.arg("--profile").arg(profile);
        cmd.arg("--target-dir").arg(target_dir);
        // `cargo run` hands its package's variables to this process; they are not the builds'.
        for (key, _) in env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                ]
                .contains(&key.as_ref())
            {
                cmd.env_remove(key.as_ref());
            }
        }
        // Two builds share the terminal: plain lines, no progress bars.
        if env::var_os("CARGO_TERM_PROGRESS_WHEN").is_none() {
            cmd.env("CARGO_TERM_PROGRESS_WHEN", "never");
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Bindgen, wasm-opt, stylesheet and assets into the site root.
    fn site(&self, wasm: &Path, wasm_opt: &WasmOpt, stamp_path: &Path) -> Result<()> {
        let name = &self.project.output_name;
        let pkg = self.site_root.join(&self.project.site_pkg_dir);
        let site_wasm = pkg.join(format!("{name}.wasm"));
        let site_js = pkg.join(format!("{name}.js"));

        // Bindgen and wasm-opt only when their input, the tools or the site folder changed: the
        // stamp names all of them (the tool's own build stands for the wasm-bindgen version).
        let input =
            fs::metadata(wasm).with_context(|| format!("{} was not built", wasm.display()))?;
        let tool = env::current_exe().and_then(fs::metadata)?;
        let stamp = format!(
            "site {}\ninput {} bytes, modified {:?}\nbuild-site modified {:?}\nwasm-opt {} {}\n",
            pkg.display(),
            input.len(),
            input.modified()?,
            tool.modified()?,
            wasm_opt.version,
            WASM_OPT_ARGS.join(" "),
        );
        if site_wasm.is_file()
            && site_js.is_file()
            && fs::read_to_string(stamp_path).is_ok_and(|s| s == stamp)
        {
            eprintln!("build-site: {} is up to date", site_wasm.display());
        } else {
            let _ = fs::remove_file(stamp_path);
            self.islands(wasm, &pkg, &site_wasm, wasm_opt)?;
            fs::write(stamp_path, stamp)
                .with_context(|| format!("writing {}", stamp_path.display()))?;
        }

        if let Some(style) = &self.project.style_file {
            let css = pkg.join(format!("{name}.css"));
            fs::copy(self.root.join(style), &css)
                .with_context(|| format!("copying {} to {}", style.display(), css.display()))?;
        }
        if let Some(assets) = &self.project.assets_dir {
            copy_dir(&self.root.join(assets), &self.site_root)?;
        }
        Ok(())
    }

    /// wasm-bindgen (web target) into the package folder, then wasm-opt in place.
    fn islands(&self, wasm: &Path, pkg: &Path, site_wasm: &Path, wasm_opt: &WasmOpt) -> Result<()> {
        let name = &self.project.output_name;
        let before = file_size(wasm)?;
        let started = Instant::now();
        let mut output = wasm_bindgen_cli_support::Bindgen::new()
            .input_path(wasm)
            .out_name(name)
            .web(true)?
            .generate_output()
            .context("wasm-bindgen")?;
        // Snippets are files of their own: none may survive from an earlier build.
        let snippets = pkg.join("snippets");
        if snippets.exists() {
            fs::remove_dir_all(&snippets)
                .with_context(|| format!("removing {}", snippets.display()))?;
        }
        output
            .emit(pkg)
            .context("writing the wasm-bindgen output")?;
        fs::rename(pkg.join(format!("{name}_bg.wasm")), site_wasm)
            .with_context(|| format!("renaming to {}", site_wasm.display()))?;
        eprintln!("build-site: wasm-bindgen in {:.1?}", started.elapsed());

        let started = Instant::now();
        let status = Command::new(&wasm_opt.path)
            .args(WASM_OPT_ARGS)
            .arg(site_wasm)
            .arg("-o")
            .arg(site_wasm)
            .status()
            .with_context(|| format!("running {}", wasm_opt.path.display()))?;
        ensure!(status.success(), "wasm-opt failed ({status})");
        eprintln!(
            "build-site: wasm-opt {} in {:.1?}: {} → {} bytes",
            WASM_OPT_ARGS.join(" "),
            started.elapsed(),
            before,
            file_size(site_wasm)?,
        );
        Ok(())
    }
}

/// A build under way.
struct Running {
    what: &'static str,
    child: Child,
}

impl Running {
    fn start(what: &'static str, mut cmd: Command) -> Result<Self> {
        let child = cmd.spawn().with_context(|| format!("starting {what}"))?;
        Ok(Self { what, child })
    }

    fn finish(&mut self) -> Result<()> {
        let status = self
            .child
            .wait()
            .with_context(|| format!("waiting for {}", self.what))?;
        ensure!(status.success(), "{} failed ({status})", self.what);
        Ok(())
    }

    /// Ends this build because the other part failed (its compilers finish their current crate).
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The folder under the target directory that holds a profile's output.
fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len())
}

struct WasmOpt {
    path: PathBuf,
    /// What `wasm-opt --version` says, e.g. "wasm-opt version 132 (version_132)".
    version: String,
}

/// The wasm-opt of the npm package `binaryen` pinned in `end2end/package.json` (Debian's is too
/// old: its output breaks hydration), or `WASM_OPT` if it is the same version.
fn wasm_opt(root: &Path) -> Result<WasmOpt> {
    let manifest = root.join("end2end/package.json");
    let package: serde_json::Value = serde_json::from_slice(
        &fs::read(&manifest).with_context(|| format!("reading {}", manifest.display()))?,
    )
    .with_context(|| format!("reading {}", manifest.display()))?;
    let pinned = package["dependencies"]["binaryen"]
        .as_str()
        .context("end2end/package.json has no binaryen in dependencies")?;
    let major = pinned.split('.').next().unwrap_or(pinned);

    let path = env::var_os("WASM_OPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("end2end/node_modules/.bin/wasm-opt"));
    let out = Command::new(&path)
        .arg("--version")
        .output()
        .with_context(|| {
            format!(
                "cannot run {}: install the end2end npm packages (`make setup`)",
                path.display()
            )
        })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    ensure!(
        version.split_whitespace().nth(2) == Some(major),
        "{} is {version:?}; end2end/package.json pins binaryen {pinned}",
        path.display(),
    );
    Ok(WasmOpt { path, version })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
