export function clientAddressOf(forwardedFor: string | undefined, peer: string | undefined, proxies: number): string;
