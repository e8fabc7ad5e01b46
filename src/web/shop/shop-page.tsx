import type { FastifyReply } from 'fastify';
import type { ComponentChildren } from 'preact';
import { h } from 'preact';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { sendHtml } from '../../http/render.js';
import type { Contact } from '../../modules/contacts/index.js';
import type { Shop } from '../../modules/shop/index.js';
import { CsrfField } from '../layout.js';

export interface ShopPageOptions {
  title: string;
  status?: number;
  /** The signed-in customer, for the header. */
  customer?: Contact | null;
  flash?: string | null;
}

function ShopLayout(props: ShopPageOptions & { shop: Shop; csrf: string; children: ComponentChildren }) {
  const { shop } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${shop.pos.heading}`}</title>
        <link rel="stylesheet" href="/static/style.css" />
        <link rel="stylesheet" href={`${shop.path}/theme.css`} />
      </head>
      <body class="shop">
        <header class="topbar shop-bar">
          <a class="brand" href={shop.path}>
            {shop.pos.heading}
          </a>
          <nav>
            {props.customer ? (
              <>
                <a href={`${shop.path}/account`} data-testid="shop-account">
                  {props.customer.firstName || props.customer.email}
                </a>
                <form method="post" action={`${shop.path}/sign-out`} class="inline">
                  <CsrfField csrf={props.csrf} />
                  <button type="submit" class="link">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <>
                <a href={`${shop.path}/sign-in`}>Sign in</a>
                <a href={`${shop.path}/sign-up`}>Create an account</a>
              </>
            )}
          </nav>
        </header>
        <main>
          {props.flash && (
            <p class="flash" role="status">
              {props.flash}
            </p>
          )}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A page of a shop: its branding, never cached, never sending a Referer (some carry credentials). */
export function renderShopPage(reply: FastifyReply, shop: Shop, options: ShopPageOptions, body: (csrf: string) => ComponentChildren): FastifyReply {
  const csrf = reply.generateCsrf();
  reply.headers(CREDENTIAL_PAGE_HEADERS);
  return sendHtml(reply, h(ShopLayout, { ...options, shop, csrf, children: body(csrf) }), options.status ?? 200);
}
