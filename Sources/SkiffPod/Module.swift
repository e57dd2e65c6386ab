// SkiffPod: placeholder until its first file lands.
