"""OrderService: create orders, take payment, submit to the platform, cancel, refund, reconcile.

Payment callbacks are made safe in three ways:
* every verified callback is first kept in an inbox (one row per provider, payment and
  transaction), so the same callback delivered five times is one payment;
* a callback for a payment whose record has not committed yet stays in the inbox, and
  `start_payment` reads the inbox after its own commit (write-then-read on both sides, so
  one of them always sees the other);
* marking the payment paid, marking its callback applied and moving its orders to paid are one
  unit of work (one transaction): a worker killed in between leaves the callback in the inbox
  and nothing else, and `reconcile()` (run at start-up) applies it.

Every use case that writes to more than one aggregate (orders, payments, the callback log,
refunds) does so inside one `async with self.uow():`. A payment provider or a platform is
asked before or after the transaction, except when an order and its payment are created
together (`place`, `place_checkout`): there the provider's payment is made inside it, so a
checkout that fails leaves neither orders nor a payment behind. Shoppers are told of a move
after its transaction commits.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from shop.clock import Clock
from shop.notify import ShopperNotifier
from shop.orders import (
    DuplicateOrder,
    IllegalTransition,
    InvalidOrder,
    Order,
    OrderEvent,
    OrderNotFound,
    OrderRepository,
    OrderStatus,
    OrderStatusChanged,
    OrderSummary,
    check_transition,
    new_order_id,
    reachable_from,
)
from shop.payments import (
    Payment,
    PaymentAmountMismatch,
    PaymentCallbackLog,
    PaymentError,
    PaymentIntent,
    PaymentNotification,
    PaymentProvider,
    PaymentRepository,
    PaymentStatus,
    PaymentVerificationError,
    RefundPending,
    UnknownPayment,
)
from shop.ports import (
    MarketplaceError,
    OrderingConnector,
    OrderRefused,
    PlatformOrderLine,
    PlatformOrderRequest,
    UnitOfWork,
)
from shop.refunds import RefundRepository
from shop.refusals import OfferCheck

log = logging.getLogger(__name__)

Hook = Callable[[str], Awaitable[None]]


class OrderHold(Protocol):
    """Paid orders that wait before going to the platform (a group buy's, shop/group_buys.py)."""

    async def holds(self, order: Order) -> bool: ...

    async def order_paid(self, order: Order) -> None:
        """The held order was paid: the holder decides when it is placed (or refunded)."""
        ...
S = OrderStatus


def _text(value: str) -> str:
    """What the shopper typed, without NUL (no character of an address; PostgreSQL refuses it)."""
    return value.replace("\x00", "")


class OrderService:
    """The orders use cases; every collaborator is a port: one repository per aggregate (orders,
    payments, the callback log, refunds) and the unit of work that spans them."""

    def __init__(
        self,
        orders: OrderRepository,
        payments: PaymentRepository,
        callbacks: PaymentCallbackLog,
        refunds: RefundRepository,
        providers: Mapping[str, PaymentProvider],
        connectors: Mapping[str, OrderingConnector],
        notifier: ShopperNotifier,
        clock: Clock,
        *,
        uow: UnitOfWork,
        default_provider: str,
        hook: Hook | None = None,
        payment_subject: Callable[[Order], str] = lambda order: order.lines[0].title,
        offer_check: OfferCheck | None = None,
    ) -> None:
        """`payment_subject` names what a payment is for (the presentation layer's words)."""
        self.payment_subject = payment_subject
        self.offer_check = offer_check  # each line's offer read again right before placement (18.3)
        self.orders = orders
        self.payments = payments
        self.callbacks = callbacks
        self.refunds = refunds
        self.uow = uow
        self.providers = providers
        self.connectors = connectors
        self.notifier = notifier
        self.clock = clock
        self.default_provider = default_provider
        self._hook = hook
        self.hold: OrderHold | None = None  # set by the bootstrap: group buys hold their paid orders

    # -- queries -------------------------------------------------------------------------------

    async def get(self, order_id: str) -> Order:
        order = await self.orders.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order

    async def list_for_shopper(self, shopper_id: str, limit: int = 10) -> list[Order]:
        """The shopper's orders, newest first."""
        return await self.orders.list_orders(shopper_id=shopper_id, limit=limit)

    async def find(
        self, *, merchant: str | None = None, statuses: Sequence[OrderStatus] | None = None, limit: int = 20
    ) -> list[Order]:
        """Orders (of one merchant, in some statuses), newest first."""
        return await self.orders.list_orders(merchant=merchant, statuses=statuses, limit=limit)

    async def last_for_shopper(self, shopper_id: str) -> Order | None:
        orders = await self.orders.list_orders(shopper_id=shopper_id, limit=1)
        return orders[0] if orders else None

    async def payment_url(self, order: Order) -> str | None:
        if order.payment_id is None:
            return None
        payment = await self.payments.get_payment(order.payment_id)
        return payment.pay_url if payment else None


    async def payment_view(self, payment_id: str) -> tuple[Payment, Order]:
        """A payment and its order (the pay page); UnknownPayment when there is none."""
        payment = await self.payments.get_payment(payment_id)
        if payment is None:
            raise UnknownPayment(payment_id)
        return payment, await self.get(payment.order_id)

    # -- creation ------------------------------------------------------------------------------

    async def create_from_summary(self, summary: OrderSummary, idempotency_key: str) -> Order:
        """Create the order once per idempotency key; a retry returns the first order."""
        order, _ = await self._create(summary, idempotency_key)
        return order

    async def place(
        self, summary: OrderSummary, idempotency_key: str, method: str | None = None
    ) -> tuple[Order, PaymentIntent]:
        """Create the order once per key and start its payment (the chat's "confirm").

        The same as `create_from_summary` then `start_payment`, without reading back what
        this call has just written: an order it has just inserted is `created` and has no
        payment yet. A retried key takes `start_payment`'s path (reuse the pending payment).
        """
        async with self.uow():  # the order and its payment, or neither
            order, inserted = await self._create(summary, idempotency_key)
            intent = await self._new_payment(order, method) if inserted else None
        if intent is None:
            return order, await self._start_payment(order, method)
        await self._apply_early_callbacks(intent.payment_id)
        return order, intent

    async def place_checkout(
        self, summaries: Sequence[OrderSummary], idempotency_key: str, method: str | None = None
    ) -> tuple[list[Order], PaymentIntent]:
        """One cart checkout: one order per store (each summary), one payment of their sum.

        The payment is recorded on the first order and every order of the checkout points at
        it (`payment_id`); a retry with the same key returns the same orders and payment.
        """
        if not summaries:
            raise InvalidOrder("a checkout needs at least one store's order")
        checkout_id = "CK" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        async with self.uow():  # every store's order and their one payment, or none of them
            made = [await self._create(s, f"{idempotency_key}#{i}", checkout_id) for i, s in enumerate(summaries)]
            placed = [order for order, _ in made]
            first = placed[0]
            payment = await self.payments.get_payment(first.payment_id) if first.payment_id is not None else None
            if payment is None:
                intent = await self._new_payment(first, method, amount=sum((o.total for o in placed), Decimal(0)),
                                                 subject=self.payment_subject(first), also=placed[1:])
        if payment is not None:
            return placed, PaymentIntent(payment.payment_id, payment.provider, pay_url=payment.pay_url)
        await self._apply_early_callbacks(intent.payment_id)
        return [replace(o, payment_id=intent.payment_id) for o in placed], intent

    async def checkout_orders(self, order: Order) -> list[Order]:
        """The orders of `order`'s checkout (itself alone when it was bought on its own)."""
        if order.checkout_id is None:
            return [order]
        return await self.orders.orders_of_checkout(order.checkout_id) or [order]

    async def _create(self, summary: OrderSummary, idempotency_key: str,
                      checkout_id: str | None = None) -> tuple[Order, bool]:
        """The order of this key, and whether this call inserted it.

        Insert first: the unique idempotency key is what makes a retry return the first
        order, so the usual case (a new key) costs one transaction and no lookup.
        """
        summary.validate()
        now = self.clock.now()
        for _ in range(8):
            order = Order(
                id=new_order_id(now),
                idempotency_key=idempotency_key,
                shopper_id=summary.shopper_id,
                channel=summary.channel,
                recipient_id=summary.recipient_id,
                language=summary.language,
                platform=summary.platform,
                merchant=summary.merchant or summary.platform,
                lines=summary.lines,
                total=summary.total,
                currency=summary.currency,
                savings=summary.savings,
                receiver_name=_text(summary.receiver_name),
                phone=_text(summary.phone),
                address=_text(summary.address),
                status=S.CREATED,
                created_at=now,
                updated_at=now,
                checkout_id=checkout_id,
            )
            event = OrderEvent(order.id, now, None, S.CREATED, f"shopper:{summary.shopper_id}")
            try:
                await self.orders.add_order(order, event)
                return order, True
            except DuplicateOrder as exc:
                if exc.field_name == "idempotency_key":
                    found = await self.orders.get_order_by_key(idempotency_key)
                    if found is not None:
                        return found, False
                    raise
        raise DuplicateOrder("id")

    # -- transitions ---------------------------------------------------------------------------

    async def transition(
        self, order: Order, target: OrderStatus, actor: str, note: str = "", *, refusal: str | None = None,
        **fields: Any
    ) -> Order:
        """Move the order (compare-and-set), record the event and tell the shopper.

        If another worker made the same move first, return the order as it is now.
        """
        moved, mine = await self._move(order, target, actor, note, **fields)
        if mine and not actor.startswith("shopper"):
            await self._tell(moved, refusal)
        return moved

    async def _move(self, order: Order, target: OrderStatus, actor: str, note: str = "",
                    **fields: Any) -> tuple[Order, bool]:
        """`transition` without telling the shopper (a unit of work tells after its commit):
        the order as it is now, and whether this call moved it."""
        check_transition(order.id, order.status, target)
        now = self.clock.now()
        event = OrderEvent(order.id, now, order.status, target, actor, note)
        if not await self.orders.update_status(order.id, order.status, event, fields):
            fresh = await self.get(order.id)
            if fresh.status is target or fresh.status in reachable_from(target):
                return fresh, False  # another worker made this move (and maybe the next ones)
            raise IllegalTransition(order.id, fresh.status, target)
        return replace(order, status=target, updated_at=now, **fields), True

    async def _tell(self, order: Order, refusal: str | None = None) -> None:
        await self.notifier.order_changed(OrderStatusChanged(order, await self.payment_url(order), refusal))

    async def events(self, order_id: str) -> list[OrderEvent]:
        return await self.orders.events(order_id)

    # -- payment -------------------------------------------------------------------------------

    async def start_payment(self, order_id: str, method: str | None = None) -> PaymentIntent:
        """Create (or reuse) the order's pending payment and return where to pay."""
        return await self._start_payment(await self.get(order_id), method)

    async def _start_payment(self, order: Order, method: str | None) -> PaymentIntent:
        if order.status is not S.CREATED:
            raise IllegalTransition(order.id, order.status, S.PAID)
        if order.checkout_id is not None and order.payment_id is not None:
            shared = await self.payments.get_payment(order.payment_id)  # the checkout's one payment
            if shared is not None and shared.status == PaymentStatus.PENDING:
                return PaymentIntent(shared.payment_id, shared.provider, pay_url=shared.pay_url)
        pending = await self.payments.pending_payment_for(order.id)
        if pending is not None:
            return PaymentIntent(pending.payment_id, pending.provider, pay_url=pending.pay_url)
        intent = await self._new_payment(order, method)
        await self._apply_early_callbacks(intent.payment_id)
        return intent

    async def _new_payment(self, order: Order, method: str | None, *, amount: Decimal | None = None,
                           subject: str | None = None, also: Sequence[Order] = ()) -> PaymentIntent:
        """Ask the provider for a payment and store it as the payment of `order` (and of the
        orders `also` it pays for), in one unit of work. The caller then applies an early
        callback (`_apply_early_callbacks`) once its own unit of work has committed."""
        provider = self.providers[self.default_provider]
        payment_id = f"pay_{uuid.uuid4().hex[:24]}"
        amount = order.total if amount is None else amount
        intent = await provider.create_payment(payment_id, amount, (subject or self.payment_subject(order))[:120],
                                               method=method)
        async with self.uow():  # the payment and the orders pointing at it
            await self.payments.add_payment(
                Payment(
                    payment_id=payment_id,
                    order_id=order.id,
                    provider=provider.name,
                    amount=amount,
                    pay_url=intent.pay_url or intent.code_url,
                    method=method,
                    created_at=self.clock.now(),
                )
            )
            for paid_for in (order, *also):
                await self.orders.set_fields(paid_for.id, {"payment_id": payment_id})
        return intent

    async def _apply_early_callbacks(self, payment_id: str) -> None:
        """A callback may have arrived before the payment row committed: apply it now (read
        after our commit, so either this or the callback's own handling sees the other)."""
        for prov, note in await self.callbacks.callbacks_with_status("received", payment_id=payment_id):
            try:
                await self._apply(prov, note)
            except (PaymentVerificationError, PaymentAmountMismatch):
                log.warning("an early callback for %s from %s was refused", payment_id, prov)

    async def handle_payment_callback(
        self, provider_name: str, headers: Mapping[str, str], body: bytes
    ) -> str:
        """Verify a provider callback and apply it; returns applied | duplicate | pending | ignored.

        Raises PaymentVerificationError (forged, tampered, replayed) and PaymentAmountMismatch.
        """
        provider = self.providers.get(provider_name)
        if provider is None:
            raise UnknownPayment(f"no payment provider {provider_name!r}")
        note = await provider.verify_callback(headers, body)
        if not isinstance(note.amount, Decimal):
            raise PaymentVerificationError("the callback amount is not a decimal")
        await self.callbacks.record_callback(
            provider_name, note, self.clock.now()
        )  # kept once, however often sent
        return await self._apply(provider_name, note)

    async def _apply(self, provider_name: str, note: PaymentNotification) -> str:
        payment = await self.payments.get_payment(note.payment_id)
        if payment is None:
            return "pending"  # kept in the inbox; start_payment or reconcile applies it
        if payment.provider != provider_name:
            # Genuinely signed, but by another provider than the one this payment was made with.
            await self.callbacks.mark_callback(provider_name, note, "foreign")
            raise PaymentVerificationError(
                f"payment {note.payment_id} is a {payment.provider} payment, not {provider_name}"
            )
        if not note.paid:
            await self.callbacks.mark_callback(provider_name, note, "ignored")
            return "ignored"
        order = await self.get(payment.order_id)
        group = await self.checkout_orders(order)
        due = sum((o.total for o in group), Decimal(0))
        if note.amount != due or note.amount != payment.amount:
            await self.callbacks.mark_callback(provider_name, note, "amount_mismatch")
            raise PaymentAmountMismatch(
                f"payment {note.payment_id} reports {note.amount}, order {order.id} totals {due}"
            )
        async with self.uow():  # the payment, its callback and its orders: all paid, or none
            first = await self.payments.mark_payment_paid(
                note.payment_id, note.provider_txn_id, note.method, note.paid_at or self.clock.now()
            )
            await self.callbacks.mark_callback(provider_name, note, "applied")
            await self._run_hook("payment_recorded")
            moves = [await self._mark_paid(part, note.payment_id, "payment") for part in group]
        for part, mine in moves:
            if mine:
                await self._tell(part)
        if len(group) == 1:
            await self._settle(moves[0][0], note.payment_id)
        else:
            for part, _ in moves:
                await self._settle_part(part, note.payment_id)
        return "applied" if first else "duplicate"

    async def _mark_paid(self, order: Order, payment_id: str, actor: str) -> tuple[Order, bool]:
        """created → paid by this payment (inside the caller's unit of work; told after it)."""
        if order.status is not S.CREATED:
            return order, False
        return await self._move(order, S.PAID, actor, payment_id, payment_id=payment_id)

    async def _settle_part(self, order: Order, payment_id: str) -> None:
        """One order of a checkout paid together: paid → submitted; an order cancelled before
        the payment came gets its part of the payment back."""
        if order.status is S.CANCELLED:
            await self._refund_part(order, payment_id, f"order {order.id} was cancelled before it was paid")
            return
        if order.status is S.PAID:
            await self.submit(order)

    async def _refund_part(self, order: Order, payment_id: str, reason: str) -> None:
        """Give back one order's part of a shared payment (once: the refund id is the order's)."""
        payment = await self.payments.get_payment(payment_id)
        if payment is None or payment.status == PaymentStatus.PENDING:
            return
        refund_id = f"part-{order.id}"
        if await self.refunds.add_refund(refund_id, payment_id, order.total, reason, self.clock.now(), order_id=order.id):
            try:
                result = await self.providers[payment.provider].refund(
                    payment_id, refund_id, order.total, payment.amount, reason)
            except PaymentError:
                log.warning("refund %s: the provider did not answer; retried later", refund_id)
                return
            await self.refunds.set_refund_status(refund_id, result.status)

    async def _settle(self, order: Order, payment_id: str) -> None:
        """A paid payment's order: paid → submitted (idempotent); a payment it does not need is
        given back."""
        if order.status is S.CANCELLED or order.payment_id != payment_id:
            # Paid after cancelling, or a second payment of an order already paid: give it back.
            await self._refund_orphan(payment_id, f"order {order.id} is {order.status.value}")
            return
        if order.status is S.PAID:
            if self.hold is not None and await self.hold.holds(order):
                await self.hold.order_paid(order)
                return
            await self.submit(order)

    async def _refund_orphan(self, payment_id: str, reason: str) -> None:
        payment = await self.payments.get_payment(payment_id)
        if payment is None or payment.status != PaymentStatus.PAID:
            return
        refund_id = f"orphan-{payment_id}"
        result = None
        if await self.refunds.add_refund(refund_id, payment_id, payment.amount, reason, self.clock.now()):
            result = await self.providers[payment.provider].refund(
                payment_id, refund_id, payment.amount, payment.amount, reason
            )
        async with self.uow():  # the provider's answer and the payment given back, together
            if result is not None:
                await self.refunds.set_refund_status(refund_id, result.status)
            await self.payments.set_payment_status(payment_id, PaymentStatus.REFUNDED)
        log.warning("payment %s refunded in full: %s", payment_id, reason)

    async def _run_hook(self, point: str) -> None:
        if self._hook is not None:
            await self._hook(point)

    async def submit(self, order: Order) -> Order:
        """Place the paid order on its platform (idempotent on the order id there too)."""
        connector = self.connectors.get(order.platform)
        if connector is None:
            log.warning("no ordering connector for %s; order %s stays paid", order.platform, order.id)
            return order
        refusal = await self.offer_check(order) if self.offer_check is not None else None
        if refusal is not None:
            return await self._refuse(order, refusal)
        request = PlatformOrderRequest(
            order_id=order.id,
            lines=tuple(
                PlatformOrderLine(
                    line.platform_product_id, line.quantity, line.unit_price, dict(line.variant)
                )
                for line in order.lines
            ),
            total=order.total,
            receiver_name=order.receiver_name,
            phone=order.phone,
            address=order.address,
        )
        try:
            placed = await connector.place_order(request)
        except OrderRefused as exc:
            return await self._refuse(order, exc.reason)
        except MarketplaceError:
            log.warning(
                "placing order %s on %s failed; retried later", order.id, order.platform, exc_info=True
            )
            return order
        return await self.transition(
            order,
            S.SUBMITTED,
            f"platform:{order.platform}",
            placed.platform_order_id,
            platform_order_id=placed.platform_order_id,
        )

    async def _refuse(self, order: Order, reason: str) -> Order:
        """The order cannot be placed as paid: give back what it cost (its part of a shared
        payment) at once and tell the shopper why; the other orders of its checkout go on."""
        log.warning("order %s refused on %s: %s; refunded", order.id, order.platform, reason)
        try:
            return await self.refund(order, order.total, f"refused-{order.id}", f"platform:{order.platform}",
                                     f"refused: {reason}", refusal=reason)
        except RefundPending:
            return order  # the provider did not answer: retried by the refunds job, told then

    # -- cancel, accept, refund ----------------------------------------------------------------

    async def cancel(self, order_id: str, actor: str, reason: str = "") -> Order:
        """Unpaid → cancelled; paid but not yet submitted → refunded in full; else IllegalTransition."""
        order = await self.get(order_id)
        if order.status is S.CREATED:
            return await self.transition(order, S.CANCELLED, actor, reason)
        if order.status is S.PAID:
            return await self.refund(order, order.total, f"cancel-{order.id}", actor, reason or "cancelled")
        raise IllegalTransition(order.id, order.status, S.CANCELLED)

    async def cancel_before_shipment(self, order_id: str, actor: str, reason: str = "") -> Order:
        """A refund or return asked before the parcel left: unpaid → cancelled; paid or submitted
        (not shipped) → refunded in full, which intercepts it (only a submitted order ships).
        IllegalTransition once shipped; RefundPending when the provider has not answered yet."""
        order = await self.get(order_id)
        if order.status is S.SUBMITTED:
            return await self.refund(order, order.total, f"cancel-{order.id}", actor,
                                     reason or "cancelled before shipment")
        return await self.cancel(order_id, actor, reason)

    async def complete(self, order_id: str, actor: str) -> Order:
        """The shopper confirms receipt (or the auto-confirm job does): delivered → completed."""
        order = await self.get(order_id)
        return await self.transition(order, S.COMPLETED, actor)

    async def auto_complete(self, after: timedelta = timedelta(days=7)) -> int:
        """Job: orders delivered longer than `after` ago are completed (as platforms auto-confirm)."""
        done = 0
        cutoff = self.clock.now() - after
        for order in await self.orders.list_orders(statuses=[S.DELIVERED], limit=1000):
            if order.updated_at <= cutoff:
                try:
                    await self.transition(order, S.COMPLETED, "system", "auto-confirmed")
                    done += 1
                except IllegalTransition:
                    continue  # refunded meanwhile
        return done

    async def accept(self, order_id: str, merchant: str) -> Order:
        """The merchant accepts a submitted order (recorded; the status stays submitted)."""
        order = await self.get(order_id)
        if order.status is not S.SUBMITTED:
            raise IllegalTransition(order.id, order.status, S.SUBMITTED)
        if order.accepted_at is None:
            now = self.clock.now()
            await self.orders.set_fields(order.id, {"accepted_at": now})
            order = replace(order, accepted_at=now)
        return order

    async def reserve_refund(self, order: Order, amount: Decimal, refund_id: str, reason: str) -> bool:
        """Record a refund of `amount` as `requested` (the provider is asked by `refund`); False
        when this refund id exists. PaymentError when the order is unpaid or `amount` exceeds
        what is left. Runs inside the caller's unit of work when there is one."""
        if order.payment_id is None:
            raise PaymentError(f"order {order.id} has no payment to refund")
        payment = await self.payments.get_payment(order.payment_id)
        if payment is None or payment.status == PaymentStatus.PENDING:
            raise PaymentError(f"order {order.id} is not paid")
        if await self.refunds.refund_status(refund_id) is not None:
            return False
        part, cap = self._part(order, payment)
        already = await self.refunds.refunded_total(payment.payment_id, part)
        if already + amount > cap:
            raise PaymentError(f"refund of {amount} exceeds what is left of {cap}")
        return await self.refunds.add_refund(refund_id, payment.payment_id, amount, reason, self.clock.now(),
                                          order_id=order.id)

    @staticmethod
    def _part(order: Order, payment: Payment) -> tuple[str | None, Decimal]:
        """(the order whose refunds count, the most they may give back): the order's own total
        when it shares its payment with the other orders of a checkout, else the payment's."""
        if order.checkout_id is not None and payment.amount != order.total:
            return order.id, order.total
        return None, payment.amount

    async def refund(self, order: Order, amount: Decimal, refund_id: str, actor: str, reason: str, *,
                     refusal: str | None = None) -> Order:
        """Refund through the payment provider; a full refund moves the order to refunded.

        The refund id makes it idempotent: asking twice refunds once. When the provider does not
        answer, the refund stays `requested` and RefundPending is raised; asking again (the
        `retry_refunds` job does) retries it with the same id.
        """
        if order.payment_id is None:
            raise PaymentError(f"order {order.id} has no payment to refund")
        payment = await self.payments.get_payment(order.payment_id)
        if payment is None or payment.status == PaymentStatus.PENDING:
            raise PaymentError(f"order {order.id} is not paid")
        part, cap = self._part(order, payment)
        async with self.uow():  # a refund beyond what is left is recorded as failed
            already = await self.refunds.refunded_total(payment.payment_id, part)
            added = await self.refunds.add_refund(refund_id, payment.payment_id, amount, reason,
                                                  self.clock.now(), order_id=order.id)
            too_much = added and already + amount > cap
            if too_much:
                await self.refunds.set_refund_status(refund_id, "failed")
        if too_much:
            raise PaymentError(f"refund of {amount} exceeds what is left of {cap}")
        result = None
        if await self.refunds.refund_status(refund_id) == "requested":
            provider = self.providers[payment.provider]
            try:
                result = await provider.refund(payment.payment_id, refund_id, amount, payment.amount, reason)
            except PaymentError as exc:
                log.warning("refund %s of order %s: the provider did not answer (%s); retried later",
                            refund_id, order.id, exc)
                raise RefundPending(f"refund {refund_id} is requested; the provider will be asked again") from exc
        # The provider's answer, the payment given back and the order refunded: all, or none (then
        # the refund stays requested and the `retry_refunds` job asks again).
        async with self.uow():
            if result is not None:
                await self.refunds.set_refund_status(refund_id, result.status)
            moved = False
            unanswered = [r for r in await self.refunds.refunds_with_status("requested")
                          if r[1] == payment.payment_id
                          and (part is None or await self.refunds.refund_order(r[0]) == part)]
            if not unanswered and await self.refunds.refunded_total(payment.payment_id, part) >= cap:
                if await self.refunds.refunded_total(payment.payment_id) >= payment.amount:
                    await self.payments.set_payment_status(payment.payment_id, PaymentStatus.REFUNDED)
                order = await self.get(order.id)
                if order.status is not S.REFUNDED:
                    if refusal is None and reason.startswith("refused: "):  # a refusal's refund the job finished
                        refusal = reason.removeprefix("refused: ")
                    order, moved = await self._move(order, S.REFUNDED, actor, reason)
        if moved and not actor.startswith("shopper"):
            await self._tell(order, refusal)
        return order

    async def retry_refunds(self, skip: Collection[str] = ()) -> int:
        """Job: ask the provider again for every refund still `requested` (but those in `skip`,
        asked already in this run); the number now answered."""
        done = 0
        for refund_id, payment_id, amount, reason in await self.refunds.refunds_with_status("requested"):
            if refund_id in skip:
                continue
            payment = await self.payments.get_payment(payment_id)
            if payment is None:
                continue
            try:
                order = await self.get(await self.refunds.refund_order(refund_id) or payment.order_id)
                if refund_id.startswith("part-") and order.status is S.CANCELLED or order.payment_id != payment_id:  # a cancelled part given back
                    result = await self.providers[payment.provider].refund(
                        payment_id, refund_id, amount, payment.amount, reason)
                    await self.refunds.set_refund_status(refund_id, result.status)
                else:
                    await self.refund(order, amount, refund_id, "system:retry", reason)
                done += 1
            except PaymentError:
                continue  # still no answer: the next run asks again
        return done

    # -- recovery ------------------------------------------------------------------------------

    async def reconcile(self) -> dict[str, int]:
        """Finish what a crash left half done; safe to run any time, and twice."""
        counts = {"callbacks": 0, "payments": 0, "submitted": 0}
        for prov, note in await self.callbacks.callbacks_with_status("received"):
            try:
                if await self._apply(prov, note) == "applied":
                    counts["callbacks"] += 1
            except (PaymentAmountMismatch, PaymentVerificationError):
                log.error("callback for %s from %s does not match its order", note.payment_id, prov)
        for payment in await self.payments.paid_payments_of_unpaid_orders():
            # A payment recorded paid whose orders are not (a worker died between two commits,
            # before they were one unit of work): every order of its checkout moves, or none.
            order = await self.get(payment.order_id)
            async with self.uow():
                moves = [await self._mark_paid(part, payment.payment_id, "reconcile")
                         for part in await self.checkout_orders(order) if part.status is S.CREATED]
            counts["payments"] += len(moves)
            for part, mine in moves:
                if mine:
                    await self._tell(part)
        recent = self.clock.now() - timedelta(days=1)  # older checkouts are abandoned
        for payment in await self.payments.payments_with_status(PaymentStatus.PENDING, created_after=recent):
            provider = self.providers.get(payment.provider)
            found = await provider.query(payment.payment_id) if provider else None
            if found is not None and found.paid:
                await self.callbacks.record_callback(payment.provider, found, self.clock.now())
                try:
                    await self._apply(payment.provider, found)
                    counts["payments"] += 1
                except PaymentAmountMismatch:
                    log.error("provider reports a wrong amount for %s", payment.payment_id)
        for order in await self.orders.list_orders(statuses=[S.PAID], limit=1000):
            if self.hold is not None and await self.hold.holds(order):
                await self.hold.order_paid(order)  # a group's: counted in (once), placed when complete
                continue
            if (await self.submit(order)).status is S.SUBMITTED:
                counts["submitted"] += 1
        return counts
