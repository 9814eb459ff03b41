/**
 * The version an image's tag announces (`python:3.13.15-slim-trixie` → 3.13, `kubectl:v1.35.1` → 1.35), for the checks
 * whose scripts need a minimum interpreter or a kubectl within the cluster's skew. Only images of the named repository
 * are judged: a mirror or a custom image with another name passes (its content is the user's to vouch for).
 */
export function imageMinor(image: string, repository: string): { major: number; minor: number } | undefined {
    const ref = image.split("@")[0];
    const colon = ref.lastIndexOf(":");
    if (colon <= ref.lastIndexOf("/")) return undefined;
    const path = ref.slice(0, colon);
    if (path.split("/").at(-1) !== repository) return undefined;
    const m = /^v?(\d+)\.(\d+)/.exec(ref.slice(colon + 1));
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Why `image` (a python image) cannot run a script needing python ≥ major.minor, or undefined. */
export function pythonTooOld(image: string, min: { major: number; minor: number }): string | undefined {
    const v = imageMinor(image, "python");
    if (v === undefined || v.major > min.major || (v.major === min.major && v.minor >= min.minor)) return undefined;
    return `Its python is ${v.major}.${v.minor}; the embedded script needs python ${min.major}.${min.minor} or later.`;
}

/** Why a kubectl image is outside kubectl's supported skew (one minor either side of the cluster's), or undefined. */
export function kubectlSkewProblem(image: string, kubernetesVersion: string): string | undefined {
    const v = imageMinor(image, "kubectl");
    const cluster = Number(kubernetesVersion.split(".")[1]);
    if (v === undefined || !Number.isInteger(cluster) || (v.major === 1 && Math.abs(v.minor - cluster) <= 1)) return undefined;
    return (
        `kubectl ${v.major}.${v.minor} is outside kubectl's version skew with the cluster's ${kubernetesVersion} (one minor ` +
        "either side, Kubernetes version skew policy): use a kubectl of the cluster's minor."
    );
}
