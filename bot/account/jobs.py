"""The account's credit, checked on a schedule: admins are told when it is low or gone."""

from __future__ import annotations

from bot.alerts.admin_chat import send_alert
from bot.context import Context
from bot.jobs.runner import account_of, run_for_account


async def check_credit(context: Context) -> None:
    """Alert when an account's credit is low or gone."""
    account = account_of(context)
    data = context.bot_data

    async def work() -> None:
        credit = await account.provider.credit()
        threshold = account.config.credit_low
        if credit <= 0:
            await send_alert(
                data,
                context.bot,
                f"credit_out:{account.name}",
                "alert.credit_out",
                account=account.name,
            )
        elif threshold is not None and credit < threshold:
            await send_alert(
                data,
                context.bot,
                f"credit_low:{account.name}",
                "alert.credit_low",
                account=account.name,
                credit=f"{credit:,}",
                threshold=f"{threshold:,}",
            )

    await run_for_account(context, account, "credit", work)
