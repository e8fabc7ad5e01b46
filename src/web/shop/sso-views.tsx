import type { Shop } from '../../modules/shop/index.js';
import type { SsoProvider } from '../../modules/sso/index.js';

/** "Sign in with <provider>" links, on the shop's sign-in and sign-up pages. */
export function SsoButtons({ shop, providers }: { shop: Shop; providers: SsoProvider[] }) {
  if (providers.length === 0) return null;
  return (
    <div class="card" data-testid="sso-buttons">
      {providers.map((p) => (
        <p>
          <a class="button" href={`${shop.path}/sso/${p.id}`}>
            Sign in with {p.name}
          </a>
        </p>
      ))}
    </div>
  );
}
