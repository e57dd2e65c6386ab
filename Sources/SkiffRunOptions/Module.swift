// SkiffRunOptions: placeholder until its first file lands.
